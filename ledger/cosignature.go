package ledger

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/enlace-exchange/enlace"
)

// parseSignatureLine splits a signed-note signature line, "— name
// base64(keyhash || signature)", with or without its newline.
func parseSignatureLine(line []byte) (name string, hash uint32, sig []byte, err error) {
	s := strings.TrimSuffix(string(line), "\n")
	rest, ok := strings.CutPrefix(s, "\u2014 ")
	if !ok || strings.Contains(rest, "\n") {
		return "", 0, nil, errors.New("not a signature line")
	}
	name, b64sig, ok := strings.Cut(rest, " ")
	if !ok || name == "" {
		return "", 0, nil, errors.New("not a signature line")
	}
	raw, err := base64.StdEncoding.DecodeString(b64sig)
	if err != nil || len(raw) < 5 {
		return "", 0, nil, errors.New("signature is not base64")
	}
	return name, binary.BigEndian.Uint32(raw), raw[4:], nil
}

// verifyCosignature checks a cosignature line on a checkpoint's note text
// against the trusted cosigners and returns who made it and when.
func (l *Log) verifyCosignature(text string, line []byte) (enlace.Cosignature, error) {
	name, hash, sig, err := parseSignatureLine(line)
	if err != nil {
		return enlace.Cosignature{}, enlace.Errorf(enlace.EInvalid, "cosignature: %v", err)
	}
	v, err := l.cosigners.Verifier(name, hash)
	if err != nil {
		return enlace.Cosignature{}, enlace.Errorf(enlace.EForbidden, "cosignature by %q: not a trusted cosigner key", name)
	}
	if !v.Verify([]byte(text), sig) {
		return enlace.Cosignature{}, enlace.Errorf(enlace.EForbidden, "cosignature by %q does not verify", name)
	}
	// A cosignature/v1 signature starts with its big-endian Unix time.
	at := time.Unix(int64(binary.BigEndian.Uint64(sig)), 0).UTC()
	return enlace.Cosignature{Name: name, Signature: bytes.TrimSuffix(line, []byte("\n")), At: at}, nil
}

// AddCosignature verifies a partner's cosignature line on the checkpoint
// of size and stores it. EInvalid for a malformed line, ENotFound if
// there is no such checkpoint, EForbidden if the line is not a valid
// cosignature by a trusted cosigner (Config.Cosigners). It fails with
// ErrRefused in its chain when the log refuses to serve.
func (l *Log) AddCosignature(ctx context.Context, size int64, line []byte) (enlace.Cosignature, error) {
	if err := l.refusalErr(); err != nil {
		return enlace.Cosignature{}, err
	}
	c, err := l.store.CheckpointAt(ctx, size)
	if err != nil {
		return enlace.Cosignature{}, fmt.Errorf("add cosignature on checkpoint %d: %w", size, err)
	}
	// Only a checkpoint of this tree may be cosigned.
	l.mu.Lock()
	err = l.checkCheckpoint(c)
	l.mu.Unlock()
	if err != nil {
		l.setRefusal(err)
		return enlace.Cosignature{}, err
	}
	text, err := noteText(c.Note)
	if err != nil {
		return enlace.Cosignature{}, fmt.Errorf("add cosignature on checkpoint %d: %w", size, err)
	}
	cs, err := l.verifyCosignature(text, line)
	if err != nil {
		return enlace.Cosignature{}, err
	}
	cs.Size = size
	if err := l.store.AddCosignature(ctx, cs); err != nil {
		return enlace.Cosignature{}, fmt.Errorf("add cosignature by %s on checkpoint %d: %w", cs.Name, size, err)
	}
	l.logger.InfoContext(ctx, "ledger checkpoint cosigned", "size", size, "cosigner", cs.Name)
	// The new cosignature pins the tree: check it like the others.
	if c, err = l.store.CheckpointAt(ctx, size); err != nil {
		return enlace.Cosignature{}, fmt.Errorf("add cosignature on checkpoint %d: %w", size, err)
	}
	l.mu.Lock()
	err = l.checkCheckpoint(c)
	l.mu.Unlock()
	if err != nil {
		l.setRefusal(err)
		return enlace.Cosignature{}, err
	}
	return cs, nil
}
