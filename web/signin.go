package web

import (
	"net/http"
	"strings"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/auth"
)

// signinForm is what the sign-in page shows and takes back. The token is
// never written back into the page.
type signinForm struct {
	Username string
	Next     string
	Token    string // the form's anti-forgery value, not the user's token
	Error    string
}

// safeNext keeps a post-sign-in destination on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

func (s *server) signinPage(w http.ResponseWriter, r *http.Request) {
	if ck, err := r.Cookie(sessionCookie); err == nil {
		if _, ok := s.sessions.get(ck.Value); ok {
			http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
			return
		}
	}
	s.showSignin(w, r, http.StatusOK, signinForm{Next: safeNext(r.URL.Query().Get("next"))})
}

// showSignin renders the sign-in form with a fresh anti-forgery value,
// also set as a cookie: the form must send back what the cookie holds, so
// no other site can sign a browser in under its own account.
// The value is kept while its cookie lives, so a second sign-in page
// (another tab, or a browser's own request that lands here) does not
// invalidate the first.
func (s *server) showSignin(w http.ResponseWriter, r *http.Request, status int, f signinForm) {
	if ck, err := r.Cookie(signinCookie); err == nil && len(ck.Value) == 43 {
		f.Token = ck.Value
	} else {
		f.Token = randomToken()
	}
	setCookie(w, r, signinCookie, f.Token, 600)
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, nil, status, "signin", "Sign in", f)
}

func (s *server) signin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	f := signinForm{Username: strings.TrimSpace(r.PostFormValue("username")), Next: safeNext(r.PostFormValue("next"))}
	ck, err := r.Cookie(signinCookie)
	if err != nil || crossOrigin(r) || !sameToken(ck.Value, r.PostFormValue("csrf")) {
		f.Error = "This sign-in form has expired. Please try again."
		s.showSignin(w, r, http.StatusForbidden, f)
		return
	}
	token := strings.TrimSpace(r.PostFormValue("token"))
	if f.Username == "" || token == "" {
		f.Error = "Enter your user name and your token."
		s.showSignin(w, r, http.StatusBadRequest, f)
		return
	}
	u, err := s.x.Authenticate(r.Context(), auth.Credentials{Username: f.Username, Secret: token})
	if err != nil {
		if enlace.ErrorCode(err) != enlace.EUnauthorized {
			s.renderError(w, r, nil, err)
			return
		}
		s.log.InfoContext(r.Context(), "web: sign-in refused", "username", f.Username)
		f.Error = "That user name and token do not match an active token."
		s.showSignin(w, r, http.StatusUnauthorized, f)
		return
	}
	// A browser that signs in again starts afresh: its old session, if
	// any, ends, and the new one gets a new id.
	if old, err := r.Cookie(sessionCookie); err == nil {
		s.sessions.end(old.Value)
	}
	id := s.sessions.create(u)
	setCookie(w, r, sessionCookie, id, int(s.sessions.maxAge.Seconds()))
	setCookie(w, r, signinCookie, "", -1)
	s.log.InfoContext(r.Context(), "web: signed in", "user", u.Username, "agency", u.Agency)
	http.Redirect(w, r, f.Next, http.StatusSeeOther)
}

func (s *server) signout(w http.ResponseWriter, r *http.Request, c *call) error {
	s.sessions.end(c.id)
	setCookie(w, r, sessionCookie, "", -1)
	s.log.InfoContext(r.Context(), "web: signed out", "user", c.User().Username)
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
	return nil
}
