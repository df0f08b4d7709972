// Package auth holds enlace's credential primitives: API tokens that are
// random, shown once and stored only as hashes, and the parsing of the
// HTTP credentials that carry them (HTTP Basic, as TAXII clients send it,
// and Bearer). It does no I/O: looking a hash up is the exchange's job.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
)

// TokenPrefix starts every enlace token, so a leaked one is easy to spot in
// logs and by secret scanners.
const TokenPrefix = "enl_"

// tokenBytes is the entropy of a token: 256 bits.
const tokenBytes = 32

// NewToken returns a fresh secret and the hash to store for it.
func NewToken() (secret string, hash []byte) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		// crypto/rand never fails on supported platforms; if it does, no
		// safe token can be made.
		panic("auth: crypto/rand failed: " + err.Error())
	}
	secret = TokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	return secret, Hash(secret)
}

// Hash returns the stored form of a token. Tokens carry 256 random bits,
// so a fast hash suffices: there is nothing to brute-force, and a fast
// hash lets the store find the token by it.
func Hash(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// Credentials are what a request presented.
type Credentials struct {
	Username string // empty for Bearer
	Secret   string
}

// FromRequest extracts credentials from the Authorization header:
// "Basic base64(user:token)" or "Bearer token". ok is false when the
// header is absent or malformed.
func FromRequest(r *http.Request) (c Credentials, ok bool) {
	h := r.Header.Get("Authorization")
	if scheme, rest, found := strings.Cut(h, " "); found && strings.EqualFold(scheme, "Bearer") {
		tok := strings.TrimSpace(rest)
		return Credentials{Secret: tok}, tok != ""
	}
	if user, pass, found := r.BasicAuth(); found {
		return Credentials{Username: user, Secret: pass}, user != "" && pass != ""
	}
	return Credentials{}, false
}
