package pgsearch

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"herald/search"
)

// Search runs r: the newest r.Enough() matches, newest first along
// search_articles_published, then ranked among themselves by ts_rank (or
// kept in date order), as the bleve index's window of the newest does.
// Result.AtLeast says more may match than Total counts.
func (ix *Index) Search(ctx context.Context, r search.Request) (search.Result, error) {
	r, err := r.Checked()
	if err != nil {
		return search.Result{}, err
	}
	q, err := compile(r)
	if err != nil {
		return search.Result{}, err
	}
	res, err := ix.page(ctx, q, r)
	if err != nil {
		return search.Result{}, ix.errorf("search: %w", err)
	}
	res.AtLeast = res.Total >= uint64(r.Enough())
	return res, nil
}

// page runs q for r's page of hits, and counts the matches in the pool
// of the newest.
func (ix *Index) page(ctx context.Context, q *sqlQuery, r search.Request) (search.Result, error) {
	where, whereArgs := strings.Join(q.where, " AND "), slices.Clip(q.args)
	pool := strconv.Itoa(r.Enough())
	score, order := "0::real", "published DESC NULLS LAST, id DESC"
	if !r.ByDate && q.rank != "" {
		score = "ts_rank(" + weights + ", doc, " + q.arg(q.rank) + "::tsquery, 1)"
		order = "score DESC, " + order
	}
	sql := `WITH m AS (SELECT id, published, doc FROM search_articles WHERE ` + where +
		` ORDER BY published DESC NULLS LAST, id DESC LIMIT ` + pool + `)
		SELECT id, ` + score + ` AS score, count(*) OVER () FROM m ORDER BY ` + order +
		` LIMIT ` + strconv.Itoa(r.Limit) + ` OFFSET ` + strconv.Itoa(r.Offset)
	rows, err := ix.pool.Query(ctx, sql, q.args...)
	if err != nil {
		return search.Result{}, err
	}
	res, err := hits(rows)
	if err != nil || len(res.Hits) > 0 || r.Offset == 0 {
		return res, err
	}
	// A page past the last match: count them alone.
	var total int64
	count := `SELECT count(*) FROM (SELECT 1 FROM search_articles WHERE ` + where + ` LIMIT ` + pool + `) m`
	err = ix.pool.QueryRow(ctx, count, whereArgs...).Scan(&total)
	return search.Result{Total: uint64(total)}, err
}

// hits reads a page's rows: an id, its score, and how many matched.
func hits(rows pgx.Rows) (search.Result, error) {
	defer rows.Close()
	var res search.Result
	for rows.Next() {
		var h search.Hit
		var score float32
		var total int64
		if err := rows.Scan(&h.ID, &score, &total); err != nil {
			return search.Result{}, err
		}
		h.Score = float64(score)
		res.Hits, res.Total = append(res.Hits, h), uint64(total)
	}
	return res, rows.Err()
}

// sqlQuery is a search compiled: conditions on search_articles, their
// arguments, and the tsquery of the words that must match (for ranking;
// "" when none do).
type sqlQuery struct {
	where []string
	args  []any
	rank  string
}

// arg adds v as an argument and returns its parameter.
func (q *sqlQuery) arg(v any) string {
	q.args = append(q.args, v)
	return "$" + strconv.Itoa(len(q.args))
}

// compile turns r into conditions: the clauses on the text fields into one
// tsquery on doc (GIN answers it in one search), the others into array and
// site conditions. A clause with nothing the index keeps ("—", "&") is
// left out, as the bleve index does; a query of nothing else is an error.
func compile(r search.Request) (*sqlQuery, error) {
	q := &sqlQuery{}
	var must, exclude []string
	var unsearchable error
	musts := 0
	for _, c := range r.Query.Clauses {
		var cond string
		switch c.Field {
		case search.FieldFeed:
			cond = "feeds @> ARRAY[" + q.arg(c.Text) + "::text]"
		case search.FieldTag:
			cond = "tags @> ARRAY[" + q.arg(c.Text) + "::text]"
		case search.FieldSite:
			tq, err := tsquery(c, "")
			if err != nil {
				unsearchable = err
				continue
			}
			cond = "(hosts @> ARRAY[" + q.arg(strings.ToLower(c.Text)) + "::text] OR site @@ " + q.arg(tq) + "::tsquery)"
		default:
			tq, err := tsquery(c, fieldWeight[c.Field])
			if err != nil {
				unsearchable = err
				continue
			}
			if c.Not {
				exclude = append(exclude, "!"+tq)
			} else {
				must = append(must, tq)
				musts++
			}
			continue
		}
		if c.Not {
			cond = "NOT " + cond
		} else {
			musts++
		}
		q.where = append(q.where, cond)
	}
	if musts == 0 {
		if unsearchable == nil {
			unsearchable = fmt.Errorf("%w: nothing to find but exclusions", search.ErrQuery)
		}
		return nil, unsearchable
	}
	if len(must)+len(exclude) > 0 {
		q.where = append(q.where, "doc @@ "+q.arg(strings.Join(append(must, exclude...), " & "))+"::tsquery")
	}
	if len(must) > 0 {
		q.rank = strings.Join(must, " & ")
	}
	if r.Feed != "" {
		q.where = append(q.where, "feeds @> ARRAY["+q.arg(r.Feed)+"::text]")
	}
	if r.Tag != "" {
		q.where = append(q.where, "tags @> ARRAY["+q.arg(r.Tag)+"::text]")
	}
	if !r.Since.IsZero() {
		q.where = append(q.where, "published >= "+q.arg(r.Since))
	}
	if !r.Until.IsZero() {
		q.where = append(q.where, "published < "+q.arg(r.Until))
	}
	return q, nil
}

// fieldWeight restricts a field's clause to its weight in doc; a clause
// of no field matches every weight.
var fieldWeight = map[string]string{search.FieldTitle: string(weightTitle), search.FieldByline: string(weightByline)}

// tsquery is c's text as a tsquery: its words next to each other and in
// order, each restricted to weight when it is not "".
func tsquery(c search.Clause, weight string) (string, error) {
	toks := search.QueryTokens(c.Text)
	if len(toks) == 0 {
		return "", fmt.Errorf("%w: %q has no letters or digits to search for", search.ErrQuery, c.Text)
	}
	if weight != "" {
		weight = ":" + weight
	}
	var b strings.Builder
	b.WriteByte('(')
	for i, t := range toks {
		if i > 0 {
			if d := t.Position - toks[i-1].Position; d == 1 {
				b.WriteString(" <-> ")
			} else {
				b.WriteString(" <" + strconv.Itoa(max(d, 0)) + "> ")
			}
		}
		b.WriteString(quote(t.Term) + weight)
	}
	b.WriteByte(')')
	return b.String(), nil
}
