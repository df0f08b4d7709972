package ledger

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	tlog "github.com/transparency-dev/formats/log"
	"golang.org/x/mod/sumdb/note"
)

// client fetches a node's ledger resources.
type client struct {
	base string
	hc   *http.Client
	auth func(*http.Request) error
}

func newClient(url string, hc *http.Client, auth func(*http.Request) error) *client {
	if hc == nil {
		hc = http.DefaultClient
	}
	if auth == nil {
		auth = func(*http.Request) error { return nil }
	}
	return &client{base: strings.TrimSuffix(url, "/") + "/", hc: hc, auth: auth}
}

// RemoteError is a node's answer other than 200.
type RemoteError struct {
	Method, Path string
	Status       int
	Code         string // the node's error code, when it sent one
	Message      string
}

// Error writes the request and the node's answer.
func (e *RemoteError) Error() string {
	return fmt.Sprintf("%s %s: %d %s: %s", e.Method, e.Path, e.Status, http.StatusText(e.Status), e.Message)
}

// maxResponse bounds what the client reads from a node.
const maxResponse = 64 << 20

func (c *client) do(ctx context.Context, method, path string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if err := c.auth(req); err != nil {
		return nil, fmt.Errorf("authenticate %s %s: %w", method, path, err)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode != http.StatusOK {
		e := &RemoteError{Method: method, Path: path, Status: resp.StatusCode, Message: strings.TrimSpace(string(b))}
		var eb errorBody
		if json.Unmarshal(b, &eb) == nil && eb.Message != "" {
			e.Code, e.Message = eb.Code, eb.Message
		}
		return nil, e
	}
	return b, nil
}

func (c *client) get(ctx context.Context, path string) ([]byte, error) {
	return c.do(ctx, http.MethodGet, path, nil)
}

// checkpoint fetches and verifies the node's latest checkpoint.
func (c *client) checkpoint(ctx context.Context, v note.Verifier) (*tlog.Checkpoint, []byte, error) {
	msg, err := c.get(ctx, "checkpoint")
	if err != nil {
		return nil, nil, err
	}
	cp, err := openCheckpoint(msg, v)
	if err != nil {
		return nil, nil, err
	}
	return cp, msg, nil
}
