package auth

import (
	"encoding/base64"
	"testing"
)

func TestNewRefreshToken(t *testing.T) {
	plain, hash := NewRefreshToken()
	raw, err := base64.RawURLEncoding.DecodeString(plain)
	if err != nil {
		t.Fatalf("plain %q is not base64url: %v", plain, err)
	}
	if got, want := len(raw), 32; got != want {
		t.Errorf("plain decodes to %d bytes, want %d", got, want)
	}
	if got, want := hash, HashRefreshToken(plain); got != want {
		t.Errorf("hash = %q, want HashRefreshToken(plain) = %q", got, want)
	}
	if got, want := len(hash), 64; got != want {
		t.Errorf("len(hash) = %d, want %d", got, want)
	}
	plain2, hash2 := NewRefreshToken()
	if plain2 == plain || hash2 == hash {
		t.Errorf("two refresh tokens are equal: %q, %q", plain, plain2)
	}
}

func TestHashRefreshToken(t *testing.T) {
	tests := []struct {
		plain, want string
	}{
		{"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	}
	for _, tt := range tests {
		if got := HashRefreshToken(tt.plain); got != tt.want {
			t.Errorf("HashRefreshToken(%q) = %s, want %s", tt.plain, got, tt.want)
		}
	}
}
