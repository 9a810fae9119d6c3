package ledger

import (
	"bytes"
	"errors"
	"fmt"
)

// What a witness refuses. Both mean the log's operator showed the witness
// a history other than the one it showed before.
var (
	ErrRollback = errors.New("rollback: the log is smaller than a checkpoint it signed before")
	ErrFork     = errors.New("fork: the log is not an extension of a checkpoint it signed before")
)

// Advance is a witness's rule: a fetched checkpoint (its signature already
// verified) is accepted after held, the last one the witness accepted,
// only if it describes the same tree or an extension of it. consistency
// returns the log's consistency proof between two sizes. It fails with
// ErrRollback for a smaller tree, ErrFork for another root at the same
// size or a proof that does not hold, or the error of consistency.
func Advance(held, fetched *Checkpoint, consistency func(size1, size2 uint64) ([][]byte, error)) error {
	switch {
	case held == nil:
		return nil
	case fetched.Origin != held.Origin:
		return fmt.Errorf("%w: origin %q, held %q", ErrFork, fetched.Origin, held.Origin)
	case fetched.Size < held.Size:
		return fmt.Errorf("%w: size %d, held %d", ErrRollback, fetched.Size, held.Size)
	case fetched.Size == held.Size:
		if !bytes.Equal(fetched.Root, held.Root) {
			return fmt.Errorf("%w: two roots at size %d", ErrFork, held.Size)
		}
		return nil
	}
	p, err := consistency(held.Size, fetched.Size)
	if err != nil {
		return err
	}
	if err := VerifyConsistency(held.Size, fetched.Size, p, held.Root, fetched.Root); err != nil {
		return fmt.Errorf("%w: sizes %d → %d: %v", ErrFork, held.Size, fetched.Size, err)
	}
	return nil
}
