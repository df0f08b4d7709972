package ledger

import (
	"crypto/rand"
	"fmt"

	fnote "github.com/transparency-dev/formats/note"
	"golang.org/x/mod/sumdb/note"
)

// GenerateKey returns a new Ed25519 signed-note key pair named name, as
// the "PRIVATE+KEY+name+hash+key" signer key and the "name+hash+key"
// verifier key. The same pair serves a node (NewSigner, NewVerifier) and a
// cosigner (NewCosigner, NewCosignatureVerifier): the cosignature/v1 key
// hash differs from the plain Ed25519 one, so a cosignature can never be
// taken for a checkpoint signature.
func GenerateKey(name string) (skey, vkey string, err error) {
	skey, vkey, err = note.GenerateKey(rand.Reader, name)
	if err != nil {
		return "", "", fmt.Errorf("generate ledger key %q: %w", name, err)
	}
	return skey, vkey, nil
}

// NewSigner returns the node's checkpoint signer for a signer key made by
// GenerateKey.
func NewSigner(skey string) (note.Signer, error) {
	s, err := note.NewSigner(skey)
	if err != nil {
		return nil, fmt.Errorf("ledger signer key: %w", err)
	}
	return s, nil
}

// NewVerifier returns the verifier of a node's checkpoints for a verifier
// key made by GenerateKey.
func NewVerifier(vkey string) (note.Verifier, error) {
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, fmt.Errorf("ledger verifier key: %w", err)
	}
	return v, nil
}

// NewCosigner returns a partner's C2SP tlog-cosignature signer
// (cosignature/v1, Ed25519, timestamped with the system clock) for a
// signer key made by GenerateKey.
func NewCosigner(skey string) (note.Signer, error) {
	s, err := fnote.NewSignerForCosignatureV1(skey)
	if err != nil {
		return nil, fmt.Errorf("ledger cosigner key: %w", err)
	}
	return s, nil
}

// NewCosignatureVerifier returns the verifier of a partner's
// cosignature/v1 cosignatures for a verifier key made by GenerateKey (or
// an Ed25519 cosignature/v1 key).
func NewCosignatureVerifier(vkey string) (note.Verifier, error) {
	v, err := fnote.NewVerifierForCosignatureV1(vkey)
	if err != nil {
		return nil, fmt.Errorf("ledger cosigner verifier key: %w", err)
	}
	return v, nil
}
