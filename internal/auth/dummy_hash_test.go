package auth

import (
	"fmt"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"
)

// The hash an unknown name is checked against costs what a real one does.
func TestDummyHashMatchesParameters(t *testing.T) {
	want := fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$", argon2.Version, argonMemory, argonTime, argonThreads)
	if !strings.HasPrefix(dummyHash, want) {
		t.Fatalf("dummyHash has other parameters than HashPassword (%s): regenerate it", want)
	}
	if ok, err := CheckPassword(dummyHash, "kexie-no-such-user"); !ok || err != nil {
		t.Fatalf("dummyHash does not check: %v %v", ok, err)
	}
}
