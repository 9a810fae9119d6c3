package auth

import (
	"strings"
	"testing"
	"time"

	"github.com/henan-youth/onsite/models"
)

func TestPasswordPolicy(t *testing.T) {
	p := DefaultPasswordPolicy()
	for _, tc := range []struct {
		name, pw, user string
		want           string // in the INVALID message; "" when accepted
	}{
		{"three classes", "change-me-1", "zhao", ""},
		{"four classes", "Zhao#2026ok", "zhao", ""},
		{"Chinese characters count as other", "河南Henan2026", "zhao", ""},
		{"seven characters", "Ab1-xyz", "zhao", "at least 8"},
		{"73 bytes", strings.Repeat("Ab1-", 18) + "x", "zhao", "at most 72"},
		{"digits only", "12345678", "zhao", "at least 3"},
		{"a word", "password", "zhao", "at least 3"},
		{"two classes", "password2026", "zhao", "at least 3"},
		{"the username", "Zhao.Wei-1", "zhao.wei-1", "not be the username"},
		{"the username reversed", "1-IEW.OAHZ", "zhao.wei-1", "not be the username"},
		{"common, any case", "Password1", "zhao", "most common"},
		{"common Chinese", "Woaini1314", "zhao", "most common"},
		{"common with a symbol", "P@ssw0rd", "zhao", "most common"},
	} {
		err := p.Check(tc.pw, tc.user)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %q refused: %v", tc.name, tc.pw, err)
		case tc.want != "" && (models.CodeOf(err) != models.CodeInvalid || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: %q: got %v, want INVALID saying %q", tc.name, tc.pw, err, tc.want)
		}
	}
}

// TestCommonPasswordList: the embedded list loads, has its source named,
// and holds only entries the other rules would let through once
// capitalised (else they would be dead weight).
func TestCommonPasswordList(t *testing.T) {
	if !strings.Contains(commonPasswordsFile, "SecLists") {
		t.Error("the list does not name its source")
	}
	set := commonPasswords()
	if len(set) < 300 {
		t.Fatalf("%d common passwords, want the list", len(set))
	}
	for pw := range set {
		if len([]rune(pw)) < MinPasswordChars || classes(pw) < 2 {
			t.Errorf("entry %q is refused by the length or class rules already", pw)
		}
	}
}

func TestPasswordExpired(t *testing.T) {
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	old, fresh := now.AddDate(0, 0, -91), now.AddDate(0, 0, -89)
	for _, tc := range []struct {
		maxAge  time.Duration
		changed *time.Time
		want    bool
	}{
		{0, &old, false},
		{90 * 24 * time.Hour, &old, true},
		{90 * 24 * time.Hour, &fresh, false},
		{90 * 24 * time.Hour, nil, false},
	} {
		if got := (PasswordPolicy{MaxAge: tc.maxAge}).Expired(tc.changed, now); got != tc.want {
			t.Errorf("max age %v, changed %v: got %v, want %v", tc.maxAge, tc.changed, got, tc.want)
		}
	}
}
