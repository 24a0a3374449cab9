package feed

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/mmcdole/gofeed"
	jsonfeed "github.com/mmcdole/gofeed/json"
)

// parseJSON reads a JSON Feed. gofeed reads it first; when it rejects the
// document (one badly typed field, a download cut short), a lenient reading
// keeps what it can, item by item.
func parseJSON(b []byte) (*gofeed.Feed, []string, error) {
	b = bytes.TrimPrefix(b, bomUTF8)
	b = validUTF8(b)
	jf, err := (&jsonfeed.Parser{}).Parse(bytes.NewReader(b))
	if err == nil {
		f, terr := (&gofeed.DefaultJSONTranslator{}).Translate(jf)
		if terr == nil {
			return f, nil, nil
		}
	}
	f, cut, lerr := parseJSONLoose(b)
	if lerr != nil {
		return nil, nil, fmt.Errorf("JSON Feed: %w", lerr)
	}
	var warnings []string
	if cut != nil {
		warnings = append(warnings, fmt.Sprintf("truncated document: kept %d entries (%v)", len(f.Items), cut))
	} else if err != nil {
		warnings = append(warnings, fmt.Sprintf("JSON Feed read leniently: %v", err))
	}
	return f, warnings, nil
}

// parseJSONLoose decodes a JSON Feed field by field, accepting a string
// where an array is due and the like. When the document breaks off, it
// returns the items decoded so far and the error in cut.
func parseJSONLoose(b []byte) (f *gofeed.Feed, cut, err error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, nil, errors.New("not a JSON object")
	}
	f = &gofeed.Feed{FeedType: "json"}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return finishLoose(f, err)
		}
		key, _ := tok.(string)
		if key == "items" {
			if err := looseItems(dec, f); err != nil {
				return finishLoose(f, err)
			}
			continue
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return finishLoose(f, err)
		}
		switch key {
		case "title":
			f.Title = str(raw)
		case "home_page_url":
			f.Link = str(raw)
		case "language":
			f.Language = str(raw)
		case "description":
			f.Description = str(raw)
		}
	}
	return f, nil, nil
}

func finishLoose(f *gofeed.Feed, err error) (*gofeed.Feed, error, error) {
	if len(f.Items) == 0 {
		return nil, nil, err
	}
	return f, err, nil
}

func looseItems(dec *json.Decoder, f *gofeed.Feed) error {
	if tok, err := dec.Token(); err != nil {
		return err
	} else if tok != json.Delim('[') {
		return errors.New("items is not an array")
	}
	for dec.More() {
		var raw map[string]json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		f.Items = append(f.Items, looseItem(raw))
	}
	_, err := dec.Token() // the closing ']'
	return err
}

func looseItem(m map[string]json.RawMessage) *gofeed.Item {
	it := &gofeed.Item{
		GUID:        str(m["id"]),
		Link:        str(m["url"]),
		Title:       str(m["title"]),
		Description: str(m["summary"]),
		Content:     str(m["content_html"]),
		Published:   str(m["date_published"]),
		Updated:     str(m["date_modified"]),
		Categories:  strs(m["tags"]),
	}
	if it.Content == "" {
		it.Content = str(m["content_text"])
	}
	if it.Link == "" {
		it.Link = str(m["external_url"])
	}
	if img := str(m["image"]); img != "" {
		it.Image = &gofeed.Image{URL: img}
	} else if img := str(m["banner_image"]); img != "" {
		it.Image = &gofeed.Image{URL: img}
	}
	authors := objects(m["authors"])
	if len(authors) == 0 {
		authors = objects(m["author"]) // JSON Feed 1.0
	}
	for _, a := range authors {
		if name := str(a["name"]); name != "" {
			it.Authors = append(it.Authors, &gofeed.Person{Name: name})
		}
	}
	for _, a := range objects(m["attachments"]) {
		if u := str(a["url"]); u != "" {
			it.Enclosures = append(it.Enclosures, &gofeed.Enclosure{URL: u, Type: str(a["mime_type"])})
		}
	}
	return it
}

// str reads a JSON value as text: a string, or a number or boolean as
// written. Anything else is "".
func str(raw json.RawMessage) string {
	var v any
	if len(raw) == 0 || json.Unmarshal(raw, &v) != nil {
		return ""
	}
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

// strs reads a list of strings, or one comma-separated string.
func strs(raw json.RawMessage) []string {
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) == nil {
		var out []string
		for _, r := range list {
			if s := strings.TrimSpace(str(r)); s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	var out []string
	for _, s := range strings.Split(str(raw), ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// objects reads a value as one object or a list of objects.
func objects(raw json.RawMessage) []map[string]json.RawMessage {
	var one map[string]json.RawMessage
	if json.Unmarshal(raw, &one) == nil && one != nil {
		return []map[string]json.RawMessage{one}
	}
	var many []map[string]json.RawMessage
	if json.Unmarshal(raw, &many) == nil {
		return many
	}
	return nil
}
