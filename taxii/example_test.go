package taxii_test

import (
	"log/slog"
	"net/http"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/taxii"
)

// The exchange implements taxii.Backend; cmd/enlace mounts the Server under
// /taxii2/ beside the JSON API.
func ExampleNew() {
	var backend taxii.Backend // the exchange
	var authenticate func(*http.Request) (enlace.User, error)
	if backend == nil || authenticate == nil {
		return // wiring elided
	}
	mux := http.NewServeMux()
	mux.Handle("/taxii2/", taxii.New(taxii.Config{
		Backend:          backend,
		Authenticate:     authenticate,
		Title:            "enlace",
		Contact:          "operations@enlace.example.org",
		DefaultLimit:     100,
		MaxLimit:         1000,
		MaxContentLength: 10 << 20,
		CursorKey:        []byte("32 random bytes from the config."),
		Logger:           slog.Default(),
	}))
	_ = http.ListenAndServe("127.0.0.1:8080", mux)
}
