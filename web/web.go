// Package web is enlace's face for people: server-rendered pages
// (html/template, with htmx for partial updates) over the exchange, the
// same hall the JSON API goes through. It parses, authenticates and
// renders; every decision, and every "this report does not exist", is the
// exchange's, so a page shows nothing the API would hide.
//
// Users sign in with the user name and token the API takes; the browser
// then holds a session cookie (see sessions: kept in memory, in this
// process). Every page authenticates, and every form carries a
// per-session anti-forgery token. Templates, CSS and a vendored htmx are
// embedded: nothing is fetched at build or run time.
package web

import (
	"bytes"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/exchange"
	"golang.org/x/mod/sumdb/note"
)

//go:embed templates/*.html
var templateFS embed.FS

// static holds enlace.css and htmx.min.js (htmx 2.0.11, 0BSD licence,
// from the htmx.org npm package; see static/README.md).
//
//go:embed static
var staticFS embed.FS

// Config holds what the web face is built with.
type Config struct {
	Exchange *exchange.Exchange
	Logger   *slog.Logger     // nil: discard
	Now      func() time.Time // nil: time.Now
	// IdleTimeout ends a session after this long without a request (0: 30
	// minutes); MaxAge ends it this long after sign-in (0: 12 hours).
	IdleTimeout time.Duration
	MaxAge      time.Duration
	// LedgerKey is the node's public checkpoint key (the text of its
	// ledger.pub), with which the ledger explorer verifies record proofs
	// in the server. Empty: the explorer shows proofs but says it cannot
	// verify them.
	LedgerKey string
}

// server serves the pages.
type server struct {
	x        *exchange.Exchange
	log      *slog.Logger
	now      func() time.Time
	sessions *sessions
	verifier note.Verifier // the node's checkpoint key; nil: none
	pages    map[string]*template.Template
	mux      *http.ServeMux
}

// New returns the handler for the pages (under /) and their static files
// (under /static/). Mount it beside the JSON API, which keeps /api/.
func New(cfg Config) http.Handler {
	s := &server{x: cfg.Exchange, log: cfg.Logger, now: cfg.Now, mux: http.NewServeMux()}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	idle, maxAge := cfg.IdleTimeout, cfg.MaxAge
	if idle <= 0 {
		idle = 30 * time.Minute
	}
	if maxAge <= 0 {
		maxAge = 12 * time.Hour
	}
	s.sessions = newSessions(s.now, idle, maxAge)
	v, err := nodeVerifier(cfg.LedgerKey)
	if err != nil {
		s.log.Error("web: the ledger explorer cannot verify proofs", "err", err)
	}
	s.verifier = v
	s.pages = parsePages()
	s.routes()
	return s
}

func (s *server) routes() {
	sub, _ := fs.Sub(staticFS, "static")
	files := http.StripPrefix("/static/", http.FileServerFS(sub))
	s.mux.Handle("GET /static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(w, r)
	}))
	s.mux.HandleFunc("GET /signin", s.signinPage)
	s.mux.HandleFunc("POST /signin", s.signin)
	s.handle("POST /signout", s.signout)
	s.handle("GET /{$}", s.dashboard)
	s.handle("GET /directives", s.directives)
	s.handle("POST /directives/preview", s.previewDirective)
	s.handle("POST /directives", s.issueDirective)
	s.handle("GET /reports", s.inbox)
	s.handle("GET /reports/new", s.composer)
	s.handle("POST /reports", s.createReport)
	s.handle("GET /reports/{id}", s.report)
	s.handle("GET /consents", s.consents)
	s.handle("POST /consents", s.requestConsent)
	s.handle("POST /consents/{id}/decision", s.decideConsent)
	s.handle("GET /screening", s.screening)
	s.handle("GET /ledger", s.ledgerPage)
	// Every other path authenticates first, then is not found: an
	// anonymous visitor learns nothing about which pages exist.
	s.handle("/", func(w http.ResponseWriter, r *http.Request, c *call) error {
		return enlace.Errorf(enlace.ENotFound, "no page %s", r.URL.Path)
	})
}

// ServeHTTP sets the headers every response carries and routes.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	s.mux.ServeHTTP(w, r)
}

// call is an authenticated request: the user, the session id and the
// session as it stood when the request arrived.
type call struct {
	id      string
	session session
}

// User returns the signed-in user.
func (c *call) User() enlace.User { return c.session.user }

// handler is an authenticated page handler; it returns an error for
// renderError to show.
type handler func(w http.ResponseWriter, r *http.Request, c *call) error

// handle registers h behind authentication and, for unsafe methods, the
// anti-forgery check.
func (s *server) handle(pattern string, h handler) {
	s.mux.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ck, err := r.Cookie(sessionCookie)
		var c *call
		if err == nil {
			if ss, ok := s.sessions.get(ck.Value); ok {
				c = &call{id: ck.Value, session: ss}
			}
		}
		if c == nil {
			s.toSignin(w, r)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		if unsafeMethod(r.Method) {
			r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
			if crossOrigin(r) || !sameToken(csrfFrom(r), c.session.csrf) {
				s.log.WarnContext(r.Context(), "web: refused a request without its anti-forgery token", "user", c.User().Username, "path", r.URL.Path)
				s.renderError(w, r, c, enlace.Errorf(enlace.EForbidden, "this form has expired or did not come from enlace; reload the page and try again"))
				return
			}
		}
		if err := h(w, r, c); err != nil {
			s.renderError(w, r, c, err)
		}
	}))
}

// toSignin sends a visitor without a live session to the sign-in page,
// remembering where it was going when that was a page to read.
func (s *server) toSignin(w http.ResponseWriter, r *http.Request) {
	target := "/signin"
	if r.Method == http.MethodGet && r.URL.Path != "/" {
		target += "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	if r.Header.Get("HX-Request") != "" {
		w.Header().Set("HX-Redirect", target)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// statusOf maps the exchange's error codes to HTTP statuses, as the JSON
// API does.
var statusOf = map[enlace.Code]int{
	enlace.ENotFound:     http.StatusNotFound,
	enlace.EInvalid:      http.StatusBadRequest,
	enlace.EConflict:     http.StatusConflict,
	enlace.EUnauthorized: http.StatusUnauthorized,
	enlace.EForbidden:    http.StatusForbidden,
	enlace.EInternal:     http.StatusInternalServerError,
}

// deniedError is a forbidden read with the policy's reasons, which the
// reader's agency may see because it received the report before.
type deniedError struct {
	err     error
	reasons []enlace.Reason
}

func (e *deniedError) Error() string { return e.err.Error() }
func (e *deniedError) Unwrap() error { return e.err }

// renderError shows err as a page. The reader sees the exchange's message;
// an internal error's detail goes to the log only.
func (s *server) renderError(w http.ResponseWriter, r *http.Request, c *call, err error) {
	code := enlace.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	msg := enlace.ErrorMessage(err)
	if status == http.StatusInternalServerError {
		id := w.Header().Get("X-Request-Id")
		s.log.ErrorContext(r.Context(), "web: internal error", "err", err, "path", r.URL.Path, "request_id", id)
		msg = "Something went wrong on our side."
		if id != "" {
			msg += " (request " + id + ")"
		}
	}
	var reasons []enlace.Reason
	var de *deniedError
	if errors.As(err, &de) {
		reasons = de.reasons
	}
	title := map[int]string{
		http.StatusNotFound: "Not found", http.StatusBadRequest: "Invalid request", http.StatusConflict: "Conflict",
		http.StatusUnauthorized: "Not signed in", http.StatusForbidden: "Not allowed",
	}[status]
	if title == "" {
		title = "Error"
	}
	s.render(w, r, c, status, "error", title, map[string]any{"Status": status, "Message": msg, "Reasons": reasons})
}

// view is what every page template receives.
type view struct {
	Title string
	User  enlace.User
	CSRF  string
	Nav   string // the page's section, for the menu
	Data  any
}

// IsAuthority reports whether the user may open the directive console.
func (v view) IsAuthority() bool { return v.User.Has(enlace.RoleAuthority) }

// render executes page with data. c is nil on the sign-in page.
func (s *server) render(w http.ResponseWriter, r *http.Request, c *call, status int, page, title string, data any) {
	t, ok := s.pages[page]
	if !ok {
		panic("web: no page template " + page)
	}
	v := view{Title: title, Nav: page, Data: data}
	if c != nil {
		v.User, v.CSRF = c.User(), c.session.csrf
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		s.log.ErrorContext(r.Context(), "web: render", "page", page, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// parsePages parses each page template with the layout.
func parsePages() map[string]*template.Template {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" {
			continue
		}
		pages[base] = template.Must(template.New(base).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n))
	}
	return pages
}

// funcs are the helpers templates use.
var funcs = template.FuncMap{
	"when": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
	"day": func(t time.Time) string { return t.UTC().Format("2006-01-02") },
	"join": func(xs any) string {
		switch v := xs.(type) {
		case []string:
			return strings.Join(v, ", ")
		case []enlace.Purpose:
			s := make([]string, len(v))
			for i, p := range v {
				s[i] = string(p)
			}
			return strings.Join(s, ", ")
		}
		return fmt.Sprint(xs)
	},
	"has": func(set []string, s string) bool {
		for _, x := range set {
			if x == s {
				return true
			}
		}
		return false
	},
	"tlpClass": func(t enlace.TLP) string { return "tlp-" + strings.ReplaceAll(t.String(), "+", "-") },
	"scope":    func(sc enlace.Scope) string { return sc.Describe() },
	"percent":  func(f float64) string { return fmt.Sprintf("%.0f%%", f*100) },
	"b64":      func(b []byte) string { return base64.StdEncoding.EncodeToString(b) },
}
