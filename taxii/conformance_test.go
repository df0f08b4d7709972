package taxii

import (
	"log/slog"
	"net"
	"net/http/httptest"
	"testing"

	"github.com/enlace-exchange/enlace/taxii/taxiitest"
)

// newTestServer serves a Server over the fake backend on 127.0.0.1 only.
func newTestServer(t testing.TB, f *fakeBackend, cfg Config) *httptest.Server {
	t.Helper()
	cfg.Backend, cfg.Authenticate = f, f.authenticate
	if cfg.CursorKey == nil {
		cfg.CursorKey = []byte("0123456789abcdef0123456789abcdef")
	}
	if cfg.MaxContentLength == 0 {
		cfg.MaxContentLength = 1 << 20
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(New(cfg))
	ts.Listener.Close()
	ts.Listener = ln
	ts.Start()
	t.Cleanup(ts.Close)
	return ts
}

// TestConformance runs the conformance suite against the fake backend, the
// way cmd/enlace runs it against the real exchange.
func TestConformance(t *testing.T) {
	ts := newTestServer(t, newFake(), Config{Title: "enlace test", DefaultLimit: 100, MaxLimit: 1000})
	taxiitest.Run(t, taxiitest.Env{
		BaseURL:           ts.URL,
		Root:              "seizure",
		Collection:        sharedColl,
		Writer:            taxiitest.Credentials{Username: "writer", Password: "writer-pw"},
		Reader:            taxiitest.Credentials{Username: "reader", Password: "reader-pw"},
		Restricted:        taxiitest.Credentials{Username: "restricted", Password: "restricted-pw"},
		Hide:              func(o map[string]any) { o["object_marking_refs"] = []string{fakeRed} },
		Hidden:            []string{seededID},
		ReaderCannotWrite: true,
		OtherCollection:   otherColl,
		Client:            ts.Client(),
	})
}
