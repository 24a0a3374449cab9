package archive

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
)

// Index values name an article (see db.go's layout). From version 3, an id
// Herald made, 32 lowercase hex digits, is written as its 16 bytes after a
// byte 0xff, half the size; any other id (an imported one) as its length
// and text after a byte 0xfe. by_key's values go on with the entry's hash.
// Version 2 wrote an id's text alone, which still reads: ids are UTF-8, so
// they never start with 0xfe or 0xff.
const (
	idPacked = 0xff
	idText   = 0xfe
	idBytes  = 16
)

var errIDValue = errors.New("corrupt index value")

// appendID appends the index value of id to dst.
func appendID(dst []byte, id string) []byte {
	if packable(id) {
		dst = append(dst, idPacked)
		dst, _ = hex.AppendDecode(dst, []byte(id)) // packable: valid hex
		return dst
	}
	dst = append(dst, idText)
	dst = binary.AppendUvarint(dst, uint64(len(id)))
	return append(dst, id...)
}

// packable reports whether id is 32 lowercase hex digits, which hex
// encoding gives back exactly.
func packable(id string) bool {
	if len(id) != 2*idBytes {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// splitID returns the id an index value names and the bytes after it;
// legacy says the value is version 2's bare id, which has none.
func splitID(v []byte) (id string, rest []byte, legacy bool, err error) {
	switch {
	case len(v) == 0:
		return "", nil, false, errIDValue
	case v[0] == idPacked:
		if len(v) < 1+idBytes {
			return "", nil, false, errIDValue
		}
		return hex.EncodeToString(v[1 : 1+idBytes]), v[1+idBytes:], false, nil
	case v[0] == idText:
		n, w := binary.Uvarint(v[1:])
		if w <= 0 || n == 0 || n > uint64(len(v)-1-w) {
			return "", nil, false, errIDValue
		}
		end := 1 + w + int(n)
		return string(v[1+w : end]), v[end:], false, nil
	default:
		return string(v), nil, true, nil
	}
}

// valueID is the id an index value names, or "" for none or a corrupt one
// (which then matches no article, as a missing entry does).
func valueID(v []byte) string {
	if v == nil {
		return ""
	}
	id, _, _, err := splitID(v)
	if err != nil {
		return ""
	}
	return id
}
