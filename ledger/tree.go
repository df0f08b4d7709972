package ledger

import (
	"fmt"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

// hashSize is the size of every node hash: SHA-256.
const hashSize = 32

var hasher = rfc6962.DefaultHasher

// tree is an RFC 6962 Merkle tree held in memory with every complete
// subtree hash it has: levels[k] holds, back to back, the hashes of the
// subtrees of 2^k leaves, so a proof or a tile is a few slice reads and a
// root at any size is at most 64 hashes. It costs about 64 bytes a leaf,
// 64 MB for a million entries. A tree is not safe for concurrent use; Log
// guards it.
type tree struct {
	levels [][]byte
}

// size returns the number of leaves.
func (t *tree) size() int64 {
	if len(t.levels) == 0 {
		return 0
	}
	return int64(len(t.levels[0]) / hashSize)
}

// append adds a leaf hash and every subtree it completes.
func (t *tree) append(leafHash []byte) {
	h := leafHash
	for level := 0; ; level++ {
		if level == len(t.levels) {
			t.levels = append(t.levels, nil)
		}
		t.levels[level] = append(t.levels[level], h...)
		n := len(t.levels[level]) / hashSize
		if n%2 == 1 {
			return
		}
		h = hasher.HashChildren(t.node(uint(level), uint64(n-2)), h)
	}
}

// node returns the hash of the complete subtree at level and index. The
// caller makes sure it exists.
func (t *tree) node(level uint, index uint64) []byte {
	return t.levels[level][index*hashSize : (index+1)*hashSize : (index+1)*hashSize]
}

// width returns how many complete subtrees the tree has at level.
func (t *tree) width(level uint) uint64 {
	if int(level) >= len(t.levels) {
		return 0
	}
	return uint64(len(t.levels[level]) / hashSize)
}

// root returns the root hash of the first n leaves.
func (t *tree) root(n int64) ([]byte, error) {
	if n < 0 || n > t.size() {
		return nil, fmt.Errorf("tree size %d out of range [0, %d]", n, t.size())
	}
	if n == 0 {
		return hasher.EmptyRoot(), nil
	}
	ids := compact.RangeNodes(0, uint64(n), nil)
	h := t.node(ids[len(ids)-1].Level, ids[len(ids)-1].Index)
	for i := len(ids) - 2; i >= 0; i-- {
		h = hasher.HashChildren(t.node(ids[i].Level, ids[i].Index), h)
	}
	return h, nil
}

// inclusion returns the proof that leaf index is in the tree of size n.
func (t *tree) inclusion(index, n int64) ([][]byte, error) {
	if n < 0 || n > t.size() || index < 0 || index >= n {
		return nil, fmt.Errorf("inclusion of %d in tree size %d: out of range (log size %d)", index, n, t.size())
	}
	nodes, err := proof.Inclusion(uint64(index), uint64(n))
	if err != nil {
		return nil, err
	}
	return t.rehash(nodes)
}

// consistency returns the proof that the tree of size from is a prefix of
// the tree of size to.
func (t *tree) consistency(from, to int64) ([][]byte, error) {
	if from < 0 || to < from || to > t.size() {
		return nil, fmt.Errorf("consistency from %d to %d: out of range (log size %d)", from, to, t.size())
	}
	nodes, err := proof.Consistency(uint64(from), uint64(to))
	if err != nil {
		return nil, err
	}
	return t.rehash(nodes)
}

func (t *tree) rehash(nodes proof.Nodes) ([][]byte, error) {
	hashes := make([][]byte, len(nodes.IDs))
	for i, id := range nodes.IDs {
		hashes[i] = t.node(id.Level, id.Index)
	}
	return nodes.Rehash(hashes, hasher.HashChildren)
}

// newRange returns an empty compact range: the O(log n) state that folds
// leaf hashes into a root.
func newRange() *compact.Range {
	f := &compact.RangeFactory{Hash: hasher.HashChildren}
	return f.NewEmptyRange(0)
}
