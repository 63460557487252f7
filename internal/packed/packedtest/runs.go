// Package packedtest holds a stand-in for the embedded store's payload
// compressor, for tests of packed payloads outside the store.
package packedtest

import "errors"

// Runs codes each run of one repeated byte (up to 255 long) as the byte
// and the run's length, so that values with runs come out shorter (coded)
// and others longer (kept as they are).
func Runs(dst, src []byte) []byte {
	for i := 0; i < len(src); {
		j := i
		for j < len(src) && src[j] == src[i] && j-i < 255 {
			j++
		}
		dst = append(dst, src[i], byte(j-i))
		i = j
	}
	return dst
}

// Unruns decodes what Runs coded, appending it to dst.
func Unruns(dst, src []byte) ([]byte, error) {
	if len(src)%2 != 0 {
		return dst, errors.New("packedtest: coded runs of odd length")
	}
	for i := 0; i < len(src); i += 2 {
		for range src[i+1] {
			dst = append(dst, src[i])
		}
	}
	return dst, nil
}
