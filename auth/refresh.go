package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// refreshTokenBytes is the entropy of a refresh token.
const refreshTokenBytes = 32

// NewRefreshToken returns a fresh opaque refresh token and the hash to store
// in its place. plain is 32 bytes from crypto/rand in unpadded base64url (43
// characters) and is given to the client only; hash is HashRefreshToken(plain).
// It cannot fail.
func NewRefreshToken() (plain, hash string) {
	b := make([]byte, refreshTokenBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails since Go 1.24
	plain = base64.RawURLEncoding.EncodeToString(b)
	return plain, HashRefreshToken(plain)
}

// HashRefreshToken returns the hex SHA-256 of plain (64 characters), the form
// in which refresh tokens are stored and looked up. A fast hash suffices: the
// token carries 256 random bits, so it cannot be guessed from the hash. It
// cannot fail.
func HashRefreshToken(plain string) string {
	sum := sha256.Sum256([]byte(plain))
	return hex.EncodeToString(sum[:])
}
