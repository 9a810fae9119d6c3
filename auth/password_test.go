package auth

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/henan-youth/onsite/models"
)

// fastHasher hashes at bcrypt's minimum cost so the tests run quickly.
func fastHasher() Hasher { return Hasher{Cost: bcrypt.MinCost} }

func TestHasherHash(t *testing.T) {
	tests := []struct {
		name     string
		pw       string
		wantCode models.Code // "" means success
	}{
		{"empty", "", models.CodeInvalid},
		{"7 chars", "1234567", models.CodeInvalid},
		{"8 chars", "12345678", ""},
		{"72 bytes", strings.Repeat("a", 72), ""},
		{"73 bytes", strings.Repeat("a", 73), models.CodeInvalid},
		{"7 Chinese chars (21 bytes)", "共青团河南省委", models.CodeInvalid},
		{"8 Chinese chars (24 bytes)", "共青团河南省委员", ""},
		{"24 Chinese chars (72 bytes)", strings.Repeat("团", 24), ""},
		{"25 Chinese chars (75 bytes)", strings.Repeat("团", 25), models.CodeInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hash, err := fastHasher().Hash(tt.pw)
			if tt.wantCode != "" {
				if got := models.CodeOf(err); err == nil || got != tt.wantCode {
					t.Fatalf("Hash error = %v, want code %s", err, tt.wantCode)
				}
				return
			}
			if err != nil {
				t.Fatalf("Hash: %v", err)
			}
			if cost, err := bcrypt.Cost([]byte(hash)); err != nil || cost != bcrypt.MinCost {
				t.Errorf("bcrypt.Cost = %d, %v; want %d", cost, err, bcrypt.MinCost)
			}
			if err := fastHasher().Check(hash, tt.pw); err != nil {
				t.Errorf("Check(right password) = %v, want nil", err)
			}
		})
	}
}

func TestHasherCheck(t *testing.T) {
	pw := strings.Repeat("p", 72)
	hash, err := fastHasher().Hash(pw)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		hash, pw string
		wantCode models.Code // "" means match
	}{
		{"match", hash, pw, ""},
		{"mismatch", hash, strings.Repeat("q", 72), models.CodeUnauthenticated},
		{"empty password", hash, "", models.CodeUnauthenticated},
		{"longer than 72 bytes, same prefix", hash, pw + "x", models.CodeUnauthenticated},
		{"unknown user (empty hash)", "", pw, models.CodeUnauthenticated},
		{"malformed hash", "not-a-bcrypt-hash", pw, models.CodeInternal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := fastHasher().Check(tt.hash, tt.pw)
			if tt.wantCode == "" {
				if err != nil {
					t.Errorf("Check = %v, want nil", err)
				}
				return
			}
			if got := models.CodeOf(err); err == nil || got != tt.wantCode {
				t.Errorf("Check = %v, want code %s", err, tt.wantCode)
			}
			if err != nil && strings.Contains(err.Error(), tt.pw) && tt.pw != "" {
				t.Errorf("error %q contains the password", err)
			}
		})
	}
}

func TestHashPasswordRejectsBeforeHashing(t *testing.T) {
	if _, err := (Hasher{}).Hash("short"); !errors.Is(err, models.ErrInvalid) {
		t.Errorf("Hash(short) error = %v, want INVALID", err)
	}
}

func TestHasherCost(t *testing.T) {
	tests := []struct {
		h    Hasher
		want int
	}{
		{Hasher{}, DefaultCost},
		{Hasher{Cost: 10}, 10},
	}
	for _, tt := range tests {
		if got := tt.h.cost(); got != tt.want {
			t.Errorf("%+v.cost() = %d, want %d", tt.h, got, tt.want)
		}
	}
	if _, err := (Hasher{Cost: 99}).Hash("long enough"); !errors.Is(err, models.ErrInternal) {
		t.Errorf("Hash at cost 99 error = %v, want INTERNAL", err)
	}
}

func TestRandomPassword(t *testing.T) {
	a, b := RandomPassword(), RandomPassword()
	if len(a) < 20 {
		t.Errorf("len(RandomPassword()) = %d, want >= 20", len(a))
	}
	if a == b {
		t.Errorf("two random passwords are equal: %q", a)
	}
	if _, err := fastHasher().Hash(a); err != nil {
		t.Errorf("Hash(RandomPassword()) = %v, want nil", err)
	}
}
