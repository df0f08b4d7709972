package auth

import (
	"bytes"
	"encoding/base64"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestNewTokenIsRandomAndLongEnough(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		s, h := NewToken()
		if !strings.HasPrefix(s, TokenPrefix) {
			t.Fatalf("token %q lacks prefix", s)
		}
		raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(s, TokenPrefix))
		if err != nil || len(raw)*8 < 256 {
			t.Fatalf("token %q: %d bits, err %v", s, len(raw)*8, err)
		}
		if !bytes.Equal(h, Hash(s)) {
			t.Fatal("hash differs from Hash(secret)")
		}
		if seen[s] {
			t.Fatal("duplicate token")
		}
		seen[s] = true
	}
}

func TestFromRequest(t *testing.T) {
	tests := []struct {
		name   string
		header string
		want   Credentials
		ok     bool
	}{
		{"bearer", "Bearer enl_abc", Credentials{Secret: "enl_abc"}, true},
		{"bearer lower case", "bearer enl_abc", Credentials{Secret: "enl_abc"}, true},
		{"basic", "Basic " + base64.StdEncoding.EncodeToString([]byte("dea-analyst:enl_abc")), Credentials{Username: "dea-analyst", Secret: "enl_abc"}, true},
		{"basic without password", "Basic " + base64.StdEncoding.EncodeToString([]byte("dea-analyst:")), Credentials{}, false},
		{"empty bearer", "Bearer ", Credentials{}, false},
		{"none", "", Credentials{}, false},
		{"unknown scheme", "Digest x", Credentials{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			if tt.header != "" {
				r.Header.Set("Authorization", tt.header)
			}
			got, ok := FromRequest(r)
			if ok != tt.ok || (ok && got != tt.want) {
				t.Fatalf("FromRequest = %+v, %v; want %+v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}
