package report

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"strconv"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Palette of the charts (ECharts' default colours).
var palette = []color.RGBA{
	{0x54, 0x70, 0xc6, 0xff}, {0x91, 0xcc, 0x75, 0xff}, {0xfa, 0xc8, 0x58, 0xff}, {0xee, 0x66, 0x66, 0xff},
	{0x73, 0xc0, 0xde, 0xff}, {0x3b, 0xa2, 0x72, 0xff}, {0xfc, 0x84, 0x52, 0xff}, {0x9a, 0x60, 0xb4, 0xff},
	{0xea, 0x7c, 0xcc, 0xff},
}

var (
	faceOnce sync.Once
	faceFont *opentype.Font
)

// labelFace is a CJK face for labels, or the basic Latin one when no
// CJK font is installed (names then print as far as they are Latin).
func labelFace(size float64) font.Face {
	faceOnce.Do(func() {
		if fs, err := LoadFonts(); err == nil {
			faceFont, _ = opentype.Parse(fs.Data(RoleHei))
		}
	})
	if faceFont != nil {
		if f, err := opentype.NewFace(faceFont, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull}); err == nil {
			return f
		}
	}
	return basicfont.Face7x13
}

type canvas struct {
	img  *image.RGBA
	face font.Face
	ink  color.Color
}

func (c *canvas) rect(x0, y0, x1, y1 int, col color.Color) {
	draw.Draw(c.img, image.Rect(x0, y0, x1, y1), image.NewUniform(col), image.Point{}, draw.Src)
}

func (c *canvas) textWidth(s string) int {
	return font.MeasureString(c.face, s).Round()
}

// text draws s with its left end at x (align 0), centre (1) or right end
// (2), its baseline at y.
func (c *canvas) text(s string, x, y, align int) {
	w := c.textWidth(s)
	x -= w * align / 2
	d := font.Drawer{Dst: c.img, Src: image.NewUniform(c.ink), Face: c.face, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

func (c *canvas) dot(x, y, r float64, col color.Color) {
	for yy := int(y - r); yy <= int(y+r); yy++ {
		for xx := int(x - r); xx <= int(x+r); xx++ {
			if (float64(xx)-x)*(float64(xx)-x)+(float64(yy)-y)*(float64(yy)-y) <= r*r {
				c.img.Set(xx, yy, col)
			}
		}
	}
}

func (c *canvas) line(x0, y0, x1, y1, width float64, col color.Color) {
	n := int(math.Hypot(x1-x0, y1-y0)) + 1
	for i := 0; i <= n; i++ {
		t := float64(i) / float64(n)
		c.dot(x0+(x1-x0)*t, y0+(y1-y0)*t, width/2, col)
	}
}

// ChartPNG draws the chart as a PNG picture: horizontal bars for child
// units, a line over periods, or a pie with its legend; each figure
// printed beside its mark. It returns the picture and its size.
func ChartPNG(ch *Chart) ([]byte, int, int, error) {
	const w = 1500
	n := len(ch.Figs)
	h := 700
	if ch.Kind == Bar {
		h = 80 + 60*max(n, 1)
	}
	if ch.Kind == Pie {
		h = max(700, 60+52*n)
	}
	c := &canvas{img: image.NewRGBA(image.Rect(0, 0, w, h)), face: labelFace(30), ink: color.Black}
	c.rect(0, 0, w, h, color.White)
	vals := ch.Values()
	top := 0.0
	for _, v := range vals {
		top = math.Max(top, v)
	}
	switch ch.Kind {
	case Bar:
		labelW := 0
		for _, l := range ch.Labels {
			labelW = max(labelW, c.textWidth(l))
		}
		x0 := labelW + 40
		maxW := w - x0 - 260
		for i, v := range vals {
			y := 40 + 60*i
			c.text(ch.Labels[i], x0-16, y+38, 2)
			bw := 0
			if top > 0 {
				bw = int(float64(maxW) * v / top)
			}
			c.rect(x0, y+8, x0+bw, y+52, palette[0])
			c.text(ch.Figs[i].Text(""), x0+bw+12, y+40, 0)
		}
		c.rect(x0-2, 30, x0, h-30, color.Gray{0x66})
	case Line:
		x0, x1, y0, y1 := 120.0, float64(w-120), 80.0, float64(h-110)
		c.rect(int(x0), int(y1), int(x1), int(y1)+2, color.Gray{0x66})
		step := (x1 - x0) / float64(max(n-1, 1))
		px := func(i int) (float64, float64) {
			y := y1
			if top > 0 {
				y = y1 - (y1-y0)*vals[i]/top
			}
			return x0 + step*float64(i), y
		}
		for i := 1; i < n; i++ {
			ax, ay := px(i - 1)
			bx, by := px(i)
			c.line(ax, ay, bx, by, 5, palette[0])
		}
		for i := 0; i < n; i++ {
			x, y := px(i)
			c.dot(x, y, 10, palette[0])
			c.text(ch.Figs[i].Text(""), int(x), int(y)-22, 1)
			c.text(ch.Labels[i], int(x), int(y1)+50, 1)
		}
	case Pie:
		cx, cy, r := 340.0, float64(h)/2, 290.0
		sum := 0.0
		for _, v := range vals {
			sum += v
		}
		if sum > 0 {
			bounds := make([]float64, n+1)
			for i, v := range vals {
				bounds[i+1] = bounds[i] + v/sum*2*math.Pi
			}
			for y := int(cy - r); y <= int(cy+r); y++ {
				for x := int(cx - r); x <= int(cx+r); x++ {
					dx, dy := float64(x)-cx, float64(y)-cy
					if dx*dx+dy*dy > r*r {
						continue
					}
					a := math.Atan2(dx, -dy) // clockwise from twelve o'clock
					if a < 0 {
						a += 2 * math.Pi
					}
					for i := 0; i < n; i++ {
						if a < bounds[i+1] {
							c.img.Set(x, y, palette[i%len(palette)])
							break
						}
					}
				}
			}
		}
		for i := range n {
			y := 40 + 52*i
			c.rect(720, y+6, 756, y+42, palette[i%len(palette)])
			share := ""
			if sum > 0 {
				share = "  " + fixedPct(vals[i]/sum*100)
			}
			c.text(ch.Labels[i]+"  "+ch.Figs[i].Text("")+share, 772, y+36, 0)
		}
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, c.img); err != nil {
		return nil, 0, 0, err
	}
	return buf.Bytes(), w, h, nil
}

func fixedPct(p float64) string {
	return strconv.FormatFloat(math.Round(p*10)/10, 'f', -1, 64) + "%"
}
