package taxii

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/enlace-exchange/enlace"
)

// Config is what New needs. Backend and Authenticate are required.
type Config struct {
	Backend      Backend
	Authenticate func(*http.Request) (enlace.User, error) // EUnauthorized on failure

	Title, Description, Contact string // the discovery resource

	DefaultLimit, MaxLimit int   // page sizes; 0 means 100 and 1000
	MaxContentLength       int64 // bytes accepted in a POST (advertised as max_content_length); 0 means 10 MiB

	// CursorKey is the HMAC key for next tokens (32 random bytes are
	// plenty). Empty: a random key per process, so tokens die with it.
	CursorKey []byte

	// PublicURL is the scheme and host clients reach the server at, such as
	// https://enlace.example.org; the discovery resource lists API roots
	// under it. Empty: taken from the request (its Host, and TLS or not).
	PublicURL string

	Logger *slog.Logger // nil: discard
}

// Server is the TAXII 2.1 face of enlace. It implements http.Handler for the
// paths under /taxii2/; mount it there.
type Server struct {
	backend    Backend
	authn      func(*http.Request) (enlace.User, error)
	title      string
	desc       string
	contact    string
	defLimit   int
	maxLimit   int
	maxContent int64
	key        []byte
	publicURL  string
	log        *slog.Logger
	mux        *http.ServeMux
}

// New returns a Server for cfg. It panics if cfg has no Backend or no
// Authenticate: that is a wiring error, not a runtime condition.
func New(cfg Config) *Server {
	if cfg.Backend == nil || cfg.Authenticate == nil {
		panic("taxii.New: Config needs a Backend and an Authenticate function")
	}
	s := &Server{
		backend: cfg.Backend, authn: cfg.Authenticate,
		title: cfg.Title, desc: cfg.Description, contact: cfg.Contact,
		defLimit: cfg.DefaultLimit, maxLimit: cfg.MaxLimit, maxContent: cfg.MaxContentLength,
		key: cfg.CursorKey, publicURL: strings.TrimSuffix(cfg.PublicURL, "/"), log: cfg.Logger,
		mux: http.NewServeMux(),
	}
	if s.title == "" {
		s.title = "enlace"
	}
	if s.maxLimit <= 0 {
		s.maxLimit = 1000
	}
	if s.defLimit <= 0 {
		s.defLimit = 100
	}
	s.defLimit = min(s.defLimit, s.maxLimit)
	if s.maxContent <= 0 {
		s.maxContent = 10 << 20
	}
	if len(s.key) == 0 {
		s.key = make([]byte, 32)
		_, _ = rand.Read(s.key)
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.routes()
	return s
}

// handler is an authenticated TAXII handler; it returns an error for
// writeError to render.
type handler func(w http.ResponseWriter, r *http.Request, u enlace.User) error

// methods maps the HTTP methods of one path to their handlers.
type methods map[string]handler

func (s *Server) routes() {
	const coll = "/taxii2/{root}/collections/{coll}/"
	s.route("/taxii2/{$}", methods{http.MethodGet: s.discovery})
	s.route("/taxii2/{root}/{$}", methods{http.MethodGet: s.apiRoot})
	s.route("/taxii2/{root}/status/{id}/{$}", methods{http.MethodGet: s.status})
	s.route("/taxii2/{root}/collections/{$}", methods{http.MethodGet: s.collections})
	s.route(coll+"{$}", methods{http.MethodGet: s.collection})
	s.route(coll+"objects/{$}", methods{http.MethodGet: s.getObjects, http.MethodPost: s.addObjects})
	s.route(coll+"objects/{obj}/{$}", methods{http.MethodGet: s.getObject, http.MethodDelete: s.deleteObject})
	s.route(coll+"objects/{obj}/versions/{$}", methods{http.MethodGet: s.versions})
	s.route(coll+"manifest/{$}", methods{http.MethodGet: s.manifest})
	// Unknown paths authenticate first: an anonymous caller learns nothing
	// about which paths exist.
	s.route("/taxii2/", nil)
}

// route registers one path for all methods, so that every answer, 405
// included, is authenticated and a TAXII error resource.
func (s *Server) route(pattern string, ms methods) {
	allow := make([]string, 0, len(ms)+1)
	for m := range ms {
		allow = append(allow, m)
		if m == http.MethodGet {
			allow = append(allow, http.MethodHead)
		}
	}
	s.mux.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, err := s.authn(r)
		if err == nil {
			err = s.serve(w, r, u, ms, allow)
		}
		if err != nil {
			writeError(w, r, s.log, err)
		}
	}))
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request, u enlace.User, ms methods, allow []string) error {
	if ms == nil {
		return enlace.Errorf(enlace.ENotFound, "no TAXII endpoint at %s (TAXII paths end with a slash)", r.URL.Path)
	}
	m := r.Method
	if m == http.MethodHead {
		m = http.MethodGet
	}
	h, ok := ms[m]
	if !ok {
		w.Header().Set("Allow", strings.Join(sortedMethods(allow), ", "))
		return enlace.Errorf(eMethod, "%s is not allowed here; allowed: %s", r.Method, strings.Join(sortedMethods(allow), ", "))
	}
	if !acceptable(r.Header.Get("Accept")) {
		return enlace.Errorf(eNotAcceptable, "this server answers only in %s; say so in the Accept header", MediaType)
	}
	return h(w, r, u)
}

func sortedMethods(ms []string) []string {
	order := []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodDelete}
	out := make([]string, 0, len(ms))
	for _, m := range order {
		for _, x := range ms {
			if x == m {
				out = append(out, m)
			}
		}
	}
	return out
}

// ServeHTTP wraps the routes with request ids, recovery and logging.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := r.Header.Get("X-Request-Id")
	if id == "" || len(id) > 64 || !printable(id) {
		var b [8]byte
		_, _ = rand.Read(b[:])
		id = hex.EncodeToString(b[:])
	}
	w.Header().Set("X-Request-Id", id)
	r = r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id))
	rec := &recorder{ResponseWriter: w, status: http.StatusOK}
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			s.log.ErrorContext(r.Context(), "panic", "panic", p, "request_id", id)
			if !rec.wrote {
				writeError(rec, r, s.log, enlace.Errorf(enlace.EInternal, "panic"))
			}
		}
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		s.log.InfoContext(r.Context(), "taxii request", "request_id", id, "method", r.Method, "path", r.URL.Path,
			"route", route, "status", rec.status, "bytes", rec.bytes, "duration_ms", float64(time.Since(start).Microseconds())/1000)
	}()
	s.mux.ServeHTTP(rec, r)
}

func printable(s string) bool {
	for _, c := range []byte(s) {
		if c < 0x21 || c > 0x7e {
			return false
		}
	}
	return true
}

type requestIDKey struct{}

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// recorder remembers the status and size of a response.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int
	wrote  bool
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// writeJSON writes v as a TAXII resource with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"title":"Internal Server Error","http_status":"500"}`)
	}
	writeBody(w, status, b)
}

func writeBody(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h.Set("Content-Type", MediaType)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
