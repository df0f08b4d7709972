package taxii

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"strconv"
	"time"

	"github.com/enlace-exchange/enlace"
)

// A next token is a cursor the server signed for one walk: one user, one API
// root, collection, endpoint and object, one query. It carries no object
// data, only the date added and sequence number of the last object of the
// page it ended, which the caller could read. Layout, before base64url:
//
//	version(1) dateAdded(8, Unix ns) seq(8) userTag(8) scopeTag(8) queryTag(8) mac(32)
//
// The tags are truncated SHA-256 digests of what the token is bound to; they
// let the server say which binding a misused token broke. The MAC (HMAC-SHA256
// under Config.CursorKey) covers everything before it, so no part can be
// changed or moved to another walk.
const (
	tokenVersion = 1
	tagLen       = 8
	tokenBody    = 1 + 8 + 8 + 3*tagLen
	tokenLen     = tokenBody + sha256.Size
)

// walk is what a next token is bound to.
type walk struct {
	user     int64
	root     string
	coll     string
	ep       endpoint
	objectID string // for the object and versions endpoints
	query    [sha256.Size]byte
}

func (w walk) userTag() []byte {
	s := sha256.Sum256([]byte("user\x00" + strconv.FormatInt(w.user, 10)))
	return s[:tagLen]
}

func (w walk) scopeTag() []byte {
	h := sha256.New()
	for _, f := range []string{w.root, w.coll, string(w.ep), w.objectID} {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(f)))
		h.Write(n[:])
		h.Write([]byte(f))
	}
	return h.Sum(nil)[:tagLen]
}

func (w walk) queryTag() []byte { return w.query[:tagLen] }

// encodeNext returns the token that resumes w after cursor c.
func encodeNext(key []byte, w walk, c Cursor) string {
	b := make([]byte, 0, tokenLen)
	b = append(b, tokenVersion)
	var ns int64
	if !c.DateAdded.IsZero() {
		ns = c.DateAdded.UnixNano()
	}
	b = binary.BigEndian.AppendUint64(b, uint64(ns))
	b = binary.BigEndian.AppendUint64(b, uint64(c.Seq))
	b = append(b, w.userTag()...)
	b = append(b, w.scopeTag()...)
	b = append(b, w.queryTag()...)
	m := hmac.New(sha256.New, key)
	m.Write(b)
	b = m.Sum(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeNext returns the cursor in tok, if the server issued tok for w.
// Every failure is EInvalid (400) with a message that says what is wrong.
func decodeNext(key []byte, w walk, tok string) (Cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) != tokenLen || b[0] != tokenVersion {
		return Cursor{}, enlace.Errorf(enlace.EInvalid, "next is not a token this server issued: pass the next value of the previous response unchanged")
	}
	m := hmac.New(sha256.New, key)
	m.Write(b[:tokenBody])
	if !hmac.Equal(m.Sum(nil), b[tokenBody:]) {
		return Cursor{}, enlace.Errorf(enlace.EInvalid, "next token was altered or was not issued by this server: pass the next value of the previous response unchanged")
	}
	tags := b[17:tokenBody]
	switch {
	case !hmac.Equal(tags[:tagLen], w.userTag()):
		return Cursor{}, enlace.Errorf(enlace.EInvalid, "next token was issued to another user")
	case !hmac.Equal(tags[tagLen:2*tagLen], w.scopeTag()):
		return Cursor{}, enlace.Errorf(enlace.EInvalid, "next token was issued for another API root, collection, endpoint or object")
	case !hmac.Equal(tags[2*tagLen:], w.queryTag()):
		return Cursor{}, enlace.Errorf(enlace.EInvalid, "next token was issued for a different query: repeat the filters and limit of the request that returned it")
	}
	var c Cursor
	if ns := int64(binary.BigEndian.Uint64(b[1:9])); ns != 0 {
		c.DateAdded = time.Unix(0, ns).UTC()
	}
	c.Seq = int64(binary.BigEndian.Uint64(b[9:17]))
	return c, nil
}
