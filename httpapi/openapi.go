package httpapi

import (
	_ "embed"
	"net/http"

	"github.com/enlace-exchange/enlace"
)

// openAPIDoc is the API's OpenAPI 3.1 description. A test checks it against
// the routes the server registers, both ways.
//
//go:embed openapi.json
var openAPIDoc []byte

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request, _ enlace.User) error {
	w.Header().Set("Content-Type", "application/json")
	_, err := w.Write(openAPIDoc)
	return err
}
