package screen

import (
	"fmt"

	"github.com/enlace-exchange/enlace"
)

// ParseError reports malformed list input: the file, the 1-based line (0 if
// unknown) and the reason. It unwraps to an enlace error with code EInvalid.
type ParseError struct {
	File   string
	Line   int
	Reason string
}

// Error returns "file:line: reason".
func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Reason)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Reason)
}

// Unwrap returns an *enlace.Error with code EInvalid so that callers can
// branch on the code.
func (e *ParseError) Unwrap() error {
	return &enlace.Error{Code: enlace.EInvalid, Message: "malformed list file " + e.File}
}
