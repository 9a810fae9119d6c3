package ledger

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/transparency-dev/formats/log"
	"golang.org/x/mod/sumdb/note"
)

// DefaultOrigin is the checkpoint origin, the log's name, unless
// configured otherwise: it names the province's deployment, so that a
// checkpoint of one deployment never verifies as another's.
const DefaultOrigin = "onsite.henan-youth/ledger"

// Checkpoint is a signed tree head: the log's origin, its size and root
// hash, and the signed note (C2SP tlog-checkpoint) they were read from.
type Checkpoint struct {
	Origin string
	Size   uint64
	Root   []byte
	Note   []byte
}

// Signer signs checkpoints with the current key of a key set and knows the
// verifier keys of the older ones.
type Signer struct {
	origin    string
	signer    note.Signer
	verifiers []note.Verifier // current first
	vkeys     []string        // the same, as verifier key strings
}

// NewSigner returns the signer of checkpoints of origin with keys. It fails
// when a key does not parse.
func NewSigner(origin string, keys *KeySet) (*Signer, error) {
	if origin == "" || strings.ContainsAny(origin, "\n") {
		return nil, fmt.Errorf("ledger: origin %q must be one non-empty line", origin)
	}
	sg, err := note.NewSigner(keys.Signing)
	if err != nil {
		return nil, fmt.Errorf("ledger: signing key: %w", err)
	}
	vkeys := keys.VerifierKeys()
	vs, err := ParseVerifierKeys(strings.Join(vkeys, "\n"))
	if err != nil {
		return nil, err
	}
	return &Signer{origin: origin, signer: sg, verifiers: vs, vkeys: vkeys}, nil
}

// Origin returns the log's origin line.
func (s *Signer) Origin() string { return s.origin }

// VerifierKeys returns the verifier keys, the current one first: what the
// inspectors' witness and verifier are given.
func (s *Signer) VerifierKeys() []string { return append([]string(nil), s.vkeys...) }

// Sign returns the signed checkpoint of the tree of size leaves with root.
func (s *Signer) Sign(size uint64, root []byte) (*Checkpoint, error) {
	body := log.Checkpoint{Origin: s.origin, Size: size, Hash: root}.Marshal()
	signed, err := note.Sign(&note.Note{Text: string(body)}, s.signer)
	if err != nil {
		return nil, fmt.Errorf("ledger: signing a checkpoint: %w", err)
	}
	return &Checkpoint{Origin: s.origin, Size: size, Root: bytes.Clone(root), Note: signed}, nil
}

// SignedByCurrent reports whether the checkpoint note carries a signature
// of the current key (after a rotation, the head is signed again).
func (s *Signer) SignedByCurrent(signed []byte) bool {
	_, err := OpenCheckpoint(signed, s.origin, s.verifiers[:1])
	return err == nil
}

// ParseVerifierKeys reads verifier keys ("name+hash+base64"), one a line;
// blank lines and lines starting with # are skipped. It fails on a key that
// does not parse or when there is none.
func ParseVerifierKeys(text string) ([]note.Verifier, error) {
	var out []note.Verifier
	for line := range strings.SplitSeq(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		v, err := note.NewVerifier(line)
		if err != nil {
			return nil, fmt.Errorf("ledger: verifier key %q: %w", line, err)
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, errors.New("ledger: no verifier key given")
	}
	return out, nil
}

// ErrBadSignature is returned (wrapped) for a checkpoint that no given key
// signed, or that is not a checkpoint of the expected origin.
var ErrBadSignature = errors.New("checkpoint not signed by a known key of the log")

// OpenCheckpoint verifies a signed checkpoint with any of verifiers (a log
// whose key was rotated signs with one of them) and parses it
// (github.com/transparency-dev/formats/log). It fails with ErrBadSignature
// when no verifier's signature is on it or the origin is not origin.
func OpenCheckpoint(signed []byte, origin string, verifiers []note.Verifier) (*Checkpoint, error) {
	var last error = errors.New("no verifier key")
	for _, v := range verifiers {
		cp, _, _, err := log.ParseCheckpoint(signed, origin, v)
		if err == nil {
			return &Checkpoint{Origin: cp.Origin, Size: cp.Size, Root: cp.Hash, Note: bytes.Clone(signed)}, nil
		}
		last = err
	}
	return nil, fmt.Errorf("%w: %v", ErrBadSignature, last)
}

// Open verifies and parses a checkpoint signed with any of the signer's
// keys, current or old; see OpenCheckpoint.
func (s *Signer) Open(signed []byte) (*Checkpoint, error) {
	return OpenCheckpoint(signed, s.origin, s.verifiers)
}
