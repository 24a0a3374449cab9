package archive

import (
	"bytes"
	"context"
	"fmt"

	"herald"
	"herald/archive/kv"
)

// Update changes one article in a write transaction, for re-extraction: fn
// edits a copy, and the copy replaces the article with its index entries
// moved. fn must not change the ID. The copy is cleaned as an ingested
// item is (clean: the hash is recomputed, URLs that are not http(s) are
// dropped); its HTML must come from the sanitiser. A URL or text that another article
// already holds is kept but not indexed (the first article keeps the key);
// a source that another article holds is an error. An error from fn leaves
// the article as it was.
func (db *DB) Update(ctx context.Context, id string, fn func(*herald.Article) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := db.updateClaims(func(tx kv.Tx, texts *claimView) error {
		w := newWriteTx(tx, texts, db.now())
		old, err := w.get(id)
		if err != nil {
			return err
		}
		n, err := decodeCopy(old)
		if err != nil {
			return err
		}
		if err := fn(n); err != nil {
			return err
		}
		if len(n.Sources) > 0 {
			clean(n, nil)
			n.URL = keptURL(n.URL)
		}
		if err := validate(n); err != nil {
			return err
		}
		normalize(n)
		if same, err := sameArticle(old, n); err != nil || same {
			return err
		}
		if err := w.replace(old, n); err != nil {
			return err
		}
		return w.finish()
	})
	if err != nil {
		return fmt.Errorf("update article %s: %w", id, err)
	}
	db.settleIfFull()
	return nil
}

// decodeCopy returns a deep copy of a, which fn may change freely.
func decodeCopy(a *herald.Article) (*herald.Article, error) {
	data, err := encodeArticle(a)
	if err != nil {
		return nil, err
	}
	return decodeArticle(data)
}

// sameArticle compares stored forms, which is what a change is.
func sameArticle(a, b *herald.Article) (bool, error) {
	da, err := encodeArticle(a)
	if err != nil {
		return false, err
	}
	db, err := encodeArticle(b)
	if err != nil {
		return false, err
	}
	return bytes.Equal(da, db), nil
}
