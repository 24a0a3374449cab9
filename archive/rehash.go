package archive

import (
	"bytes"
	"fmt"
	"slices"

	"herald"
	"herald/archive/kv"
)

// Version 5 normalises text for hashing with Unicode NFC, keeps combining
// marks, and claims short texts by title and text together (hashKey).
// Files written before hold content hashes and text claims made the old
// way; opening one for writing recomputes the hashes that changed and
// rebuilds the text claims. meta's "identity" says it is done: a rebuild
// cut short starts over at the next open.
var metaIdentity = []byte("identity")

// identityRules names the rules the content hashes and text claims of a
// file were made by.
const identityRules = "5"

// rehashBatch bounds the records one transaction of the rebuild rewrites.
const rehashBatch = 10_000

// rehash brings the content hashes and text claims of an older file to
// identityRules. The claims are rebuilt in id order (which article of two
// with one text holds its claim is the first met: before, it was the first
// archived).
func rehash(s store) error {
	var done bool
	if err := s.View(func(tx kv.Tx) error {
		done = string(tx.Bucket(bucketMeta).Get(metaIdentity)) == identityRules
		return nil
	}); err != nil || done {
		return err
	}
	type claim struct {
		fp  fingerprint
		val []byte
	}
	var (
		claims  []claim
		changed []*herald.Article
		taken   = map[fingerprint]bool{}
	)
	err := s.View(func(tx kv.Tx) error {
		return tx.Bucket(bucketArticles).ForEach(func(k, v []byte) error {
			a, err := decodeRecord(v)
			if err != nil {
				return fmt.Errorf("article %q: %w", k, err)
			}
			if h := herald.ContentHash(a.Text); h != a.ContentHash {
				a.ContentHash = h
				changed = append(changed, a)
			}
			if c := textClaim(a); c.ok && !taken[c.fp] {
				taken[c.fp] = true
				claims = append(claims, claim{c.fp, appendID(nil, a.ID)})
			}
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("upgrade hashes: %w", err)
	}
	for part := range slices.Chunk(changed, rehashBatch) {
		err := s.Update(func(tx kv.Tx) error {
			b := tx.Bucket(bucketArticles)
			for _, a := range part {
				data, err := encodeArticle(a)
				if err != nil {
					return err
				}
				if err := b.Put([]byte(a.ID), storeRecord(data)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("upgrade hashes: %w", err)
		}
	}
	slices.SortFunc(claims, func(a, b claim) int { return bytes.Compare(a.fp[:], b.fp[:]) })
	return s.Update(func(tx kv.Tx) error {
		for _, name := range [][]byte{bucketTextClaims, bucketClaimLog} {
			if err := tx.DeleteBucket(name); err != nil {
				return fmt.Errorf("upgrade text claims: %w", err)
			}
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("upgrade text claims: %w", err)
			}
		}
		b := tx.Bucket(bucketTextClaims)
		setFill(b, claimFill)
		for _, c := range claims {
			if err := b.Put(c.fp[:], c.val); err != nil {
				return fmt.Errorf("upgrade text claims: %w", err)
			}
		}
		if err := tx.Bucket(bucketMeta).Delete(metaClaims); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Put(metaIdentity, []byte(identityRules))
	})
}
