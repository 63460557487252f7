package export

import "testing"

// An obligation whose work was sent back reads 退回修改 in the exports,
// whichever case the status comes in.
func TestSentBackStatusInChinese(t *testing.T) {
	for _, s := range []string{"SENT_BACK", "sent_back"} {
		if got := StatusZH(s); got != "退回修改" {
			t.Errorf("StatusZH(%q) = %q", s, got)
		}
	}
}
