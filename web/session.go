package web

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/enlace-exchange/enlace"
)

// Cookie names. The session cookie carries the session id; the sign-in
// cookie carries the anti-forgery value of the sign-in form, before any
// session exists.
const (
	sessionCookie = "enlace_session"
	signinCookie  = "enlace_signin"
)

// session is one signed-in browser. It holds the user as the exchange
// authenticated it at sign-in, never the token.
type session struct {
	user    enlace.User
	csrf    string         // the per-session anti-forgery token
	purpose enlace.Purpose // the purpose last declared on a page
	created time.Time
	seen    time.Time
}

// sessions keeps sessions in memory, in this process only: a restart
// signs every browser out, and a second node does not know the sessions of
// the first. Session ids are 256 random bits, handed to the browser once
// and kept here only as their SHA-256 hash, so what is in memory cannot be
// replayed as a cookie. A session ends at sign-out, after idle time
// without a request, or at maxAge after sign-in, whichever comes first.
type sessions struct {
	now    func() time.Time
	idle   time.Duration
	maxAge time.Duration

	mu   sync.Mutex
	byID map[[sha256.Size]byte]*session
}

func newSessions(now func() time.Time, idle, maxAge time.Duration) *sessions {
	return &sessions{now: now, idle: idle, maxAge: maxAge, byID: map[[sha256.Size]byte]*session{}}
}

// randomToken returns 256 random bits, base64url-encoded.
func randomToken() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("web: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// create starts a session for u and returns its id, to be set as a cookie.
func (s *sessions) create(u enlace.User) string {
	id := randomToken()
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweep(now)
	s.byID[sha256.Sum256([]byte(id))] = &session{user: u, csrf: randomToken(), created: now, seen: now}
	return id
}

// get returns the live session with id and marks it seen. It returns a
// copy: callers change a session only through the methods below.
func (s *sessions) get(id string) (session, bool) {
	key := sha256.Sum256([]byte(id))
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, ok := s.byID[key]
	if !ok {
		return session{}, false
	}
	if s.expired(ss, now) {
		delete(s.byID, key)
		return session{}, false
	}
	ss.seen = now
	return *ss, true
}

// setPurpose remembers the purpose a user declared last.
func (s *sessions) setPurpose(id string, p enlace.Purpose) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ss, ok := s.byID[sha256.Sum256([]byte(id))]; ok {
		ss.purpose = p
	}
}

// end forgets session id.
func (s *sessions) end(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.byID, sha256.Sum256([]byte(id)))
}

func (s *sessions) expired(ss *session, now time.Time) bool {
	return now.Sub(ss.seen) > s.idle || now.Sub(ss.created) > s.maxAge
}

// sweep drops expired sessions; the caller holds mu.
func (s *sessions) sweep(now time.Time) {
	for k, ss := range s.byID {
		if s.expired(ss, now) {
			delete(s.byID, k)
		}
	}
}

// setCookie writes a cookie the page's scripts cannot read and no other
// site can make the browser send, Secure whenever the request came over
// TLS. maxAge < 0 deletes it.
func setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil,
	})
}

// unsafeMethod reports whether a request may change state and so must
// carry the anti-forgery token.
func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

// csrfFrom returns the anti-forgery token a request carries: the form
// field, or the header htmx sends.
func csrfFrom(r *http.Request) string {
	if h := r.Header.Get("X-CSRF-Token"); h != "" {
		return h
	}
	return r.PostFormValue("csrf")
}

// sameToken compares two tokens in constant time; an empty one never
// matches.
func sameToken(a, b string) bool {
	return a != "" && b != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// crossOrigin reports whether the browser says the request comes from
// another site (Sec-Fetch-Site, or an Origin naming another host).
func crossOrigin(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "cross-site", "same-site":
		return true
	}
	// The scheme is left out: behind a proxy that ends TLS the browser says
	// https while this server reads plain HTTP.
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		return err != nil || u.Host != r.Host
	}
	return false
}
