package dashboard

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// passwordLogin logs a tab in with an account's login name and password.
func (tb *tab) passwordLogin(login, password string) {
	tb.t.Helper()
	tb.open("login", "login")
	tb.run("log in as "+login,
		chromedp.SetValue(chromedp.CSS(`#login-name`), login),
		chromedp.SetValue(chromedp.CSS(`#login-password`), password),
		chromedp.Click(chromedp.CSS(`#password-submit`)),
		chromedp.WaitVisible(chromedp.CSS(`#who`)))
}

// A reporter logs in with a password, reports progress and sees the
// report in the unit's own view with its provisional score; the ecology
// bureau's leader logs in and sees the supporters on the tasks it leads.
func TestBrowserAccounts(t *testing.T) {
	bctx := browser(t)
	e := demoServer(t)
	dir := shots(t)

	t.Run("reporter", func(t *testing.T) {
		tb := newTab(t, bctx, e.http.URL, dir)
		tb.passwordLogin("ningcheng.reporter", e.passwords["ningcheng.reporter"])
		if who := tb.text("#who"); !strings.Contains(who, "宁城填报员") || !strings.Contains(who, "宁城县") {
			t.Errorf("who: %q", who)
		}
		tb.shot("30-reporter-logged-in")
		tb.open("mine", "mine")
		tb.run("report progress",
			chromedp.SetValue(chromedp.CSS(`#percent`), "61"),
			chromedp.SetValue(chromedp.CSS(`#note`), "账号登录报送：进度61%"),
			chromedp.Click(chromedp.CSS(`#form-progress button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`#action-msg .success`)))
		tb.open("myunit?year=2025", "myunit")
		if s := tb.text("#unit-owes"); !strings.Contains(s, "账号登录报送") || strings.Contains(s, "county.ningcheng") {
			t.Errorf("the unit view does not show the report (or shows an id): %.300q", s)
		}
		if s := tb.text("#score-label"); s != "暂定" {
			t.Errorf("2025's unpublished county score is labelled %q, want 暂定", s)
		}
		if s := tb.text("#unit-score"); !strings.Contains(s, "考核委员会公布前可能变化") {
			t.Errorf("score panel: %.200q", s)
		}
		tb.shot("31-reporter-unit-view")
		// The same tab stays logged in across a reload (the cookie), and
		// logging out ends the session.
		tb.open("myunit?year=2025", "myunit")
		tb.run("log out", chromedp.Click(chromedp.CSS(`#logout`)), chromedp.WaitVisible(chromedp.CSS(`#nav-login`)))
		tb.open("myunit", "login")
	})

	t.Run("lead", func(t *testing.T) {
		tb := newTab(t, bctx, e.http.URL, dir)
		tb.passwordLogin("eco.leader", e.passwords["eco.leader"])
		tb.open("myunit?year=2025", "myunit")
		leads := tb.text("#unit-leads")
		if !strings.Contains(leads, "配合") && !strings.Contains(leads, "落实") {
			t.Errorf("the lead's view shows no supporter duty: %.300q", leads)
		}
		if strings.Contains(leads, "bureau.") || strings.Contains(leads, "county.") {
			t.Errorf("the lead's view shows internal ids: %.300q", leads)
		}
		if s := tb.text("#score-label"); s != "已公布" {
			t.Errorf("2025's published bureau score is labelled %q, want 已公布", s)
		}
		tb.shot("32-lead-supporters")
	})
}
