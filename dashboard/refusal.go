package dashboard

import (
	"net/http"

	"taskledger/app"
	"taskledger/internal/msg"
)

// requestLang is the language a request's Accept-Language prefers,
// Chinese by default.
func requestLang(r *http.Request) msg.Lang {
	return msg.FromAcceptLanguage(r.Header.Get("Accept-Language"))
}

// refusalBody words an explained refusal for the dashboard's JSON errors:
// its class, its catalogue code, the message in the request's language
// and the Chinese one.
func refusalBody(r *http.Request, ae *app.Error) reportError {
	return reportError{Code: string(ae.Code), MessageCode: string(ae.Key), Message: ae.Text(requestLang(r)), MessageZH: ae.Chinese()}
}

// catalogued is the JSON error of one catalogue message.
func catalogued(r *http.Request, key msg.Key, args msg.Args) reportError {
	c := msg.Default()
	return reportError{Code: string(c.ClassOf(key)), MessageCode: string(key),
		Message: c.Text(requestLang(r), key, args), MessageZH: c.Text(msg.ZH, key, args)}
}
