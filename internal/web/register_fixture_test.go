package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"

	"kexie/internal/auth"
)

// The register the API tests define, and valid records of it.

func init() {
	// Downloaded attachments are validated as opaque files.
	for _, ct := range []string{"image/png", "application/pdf"} {
		openapi3filter.RegisterBodyDecoder(ct, openapi3filter.FileBodyDecoder)
	}
}

// Values that pass their checksums: a resident ID number (GB 11643) and a
// unified social credit code (GB 32100).
const (
	validIDCard = "11010519491231002X"
	validUSCC   = "91320100MA1N2Y3B48"
)

// eventsSchema is the register the records tests define through the API:
// a field of every type, a computed field and a cross-field rule.
func eventsSchema() map[string]any {
	opts := func(pairs ...string) []map[string]string {
		var out []map[string]string
		for i := 0; i+2 < len(pairs)+1; i += 3 {
			out = append(out, map[string]string{"code": pairs[i], "name_zh": pairs[i+1], "name_en": pairs[i+2]})
		}
		return out
	}
	return map[string]any{
		"code": "test_events", "name_zh": "测试活动", "name_en": "Test events",
		"date_field": "held_on", "natural_key": []string{"title", "held_on"},
		"fields": []map[string]any{
			{"code": "title", "type": "text", "name_zh": "活动名称", "name_en": "Title", "required": true, "max_length": 50},
			{"code": "held_on", "type": "date", "name_zh": "举办日期", "required": true, "min": "2015-01-01", "max": "2030-12-31"},
			{"code": "mode", "type": "option", "name_zh": "形式", "options": opts("online", "线上", "Online", "offline", "线下", "Offline")},
			{"code": "topics", "type": "options", "name_zh": "主题", "options": opts("health", "健康", "Health", "ai", "人工智能", "AI", "farming", "农业", "Farming")},
			{"code": "participants", "type": "integer", "name_zh": "参与人次", "min": "0", "max": "1000000"},
			{"code": "budget", "type": "money", "name_zh": "经费"},
			{"code": "coverage", "type": "percent", "name_zh": "覆盖率", "max": "100"},
			{"code": "score", "type": "decimal", "name_zh": "评分", "scale": 1, "min": "0", "max": "10"},
			{"code": "live", "type": "boolean", "name_zh": "是否直播"},
			{"code": "started_at", "type": "datetime", "name_zh": "开始时间"},
			{"code": "host", "type": "unit", "name_zh": "承办单位"},
			{"code": "contact", "type": "mobile", "name_zh": "联系电话", "sensitive": true},
			{"code": "leader_id", "type": "idcard", "name_zh": "负责人身份证号", "sensitive": true},
			{"code": "org_code", "type": "uscc", "name_zh": "主办方信用代码"},
			{"code": "email", "type": "email", "name_zh": "邮箱"},
			{"code": "site", "type": "url", "name_zh": "网址"},
			{"code": "notes", "type": "longtext", "name_zh": "备注"},
			{"code": "parent", "type": "record", "name_zh": "上级活动", "register": "test_events"},
			{"code": "speaker", "type": "person", "name_zh": "主讲人"},
			{"code": "photos", "type": "attachment", "name_zh": "照片", "accept": []string{".png", ".pdf"}, "max_size": 100000},
			{"code": "per_head", "type": "money", "name_zh": "人均经费", "compute": "participants > 0 ? budget / participants : 0"},
		},
		"rules": []map[string]any{{"expr": `!live || mode == "online"`, "field": "live", "message_zh": "直播的活动应为线上", "message_en": "A live-streamed event is online"}},
	}
}

// addUser creates a user holding role at unit, with an API token.
func addUser(t testing.TB, e *testEnv, name string, role auth.Role, unitCode string) {
	t.Helper()
	ctx := context.Background()
	if _, err := e.app.Auth.CreateUser(ctx, nil, auth.NewUser{Name: name, DisplayName: "测试账号（" + string(role) + "）", Password: "test-password-1", Role: role, Unit: unitCode}); err != nil {
		t.Fatal(err)
	}
	_, secret, err := e.app.Auth.CreateToken(ctx, nil, name, "test")
	if err != nil {
		t.Fatal(err)
	}
	e.tokens[name] = secret
}

// apiRecord is a record as the API answers it.
type apiRecord struct {
	ID           int64          `json:"id"`
	Register     string         `json:"register"`
	Unit         string         `json:"unit"`
	Date         string         `json:"date"`
	Status       string         `json:"status"`
	StatusReason string         `json:"status_reason"`
	Version      int            `json:"version"`
	Values       map[string]any `json:"values"`
}

// tinyPNG is a real 2×2 PNG image.
func tinyPNG(t testing.TB) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	img.Set(0, 0, color.RGBA{R: 200, A: 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// goodEvent is a valid record of test_events at 320102, written the
// tolerant way office staff type it.
func goodEvent() map[string]any {
	return map[string]any{
		"title": "科技工作者日座谈会", "held_on": "2021年5月30日", "mode": "线下", "topics": []string{"健康", "ai"},
		"participants": json.Number("120"), "budget": "1,500.50", "coverage": "69.8%", "score": json.Number("8.5"), "live": false,
		"started_at": "2021-05-30 09:30", "host": "320102", "contact": "138 0013 8000", "leader_id": validIDCard,
		"org_code": validUSCC, "email": "kx@example.cn", "site": "https://www.jsast.org.cn/", "notes": "第一行\n第二行",
	}
}

// with returns a copy of m with the given changes; a nil value deletes.
func with(m map[string]any, kv ...any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
		} else {
			out[kv[i].(string)] = kv[i+1]
		}
	}
	return out
}

const recordsPath = "/api/v1/registers/test_events/records"

func recordPath(id int64) string { return fmt.Sprintf("%s/%d", recordsPath, id) }
