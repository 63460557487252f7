// start.js: mounts GraphiQL on taskledger's /graphql. A dashboard session
// (the HttpOnly cookie) is used when there is one: its CSRF token, read
// from GET /session, goes with every POST. Otherwise put a token in the
// Headers tab: {"Authorization": "Bearer tl_…"}.
(function () {
  'use strict';
  var csrf = '';
  var session = fetch('/session', { credentials: 'same-origin' })
    .then(function (r) { return r.ok ? r.json() : {}; })
    .then(function (s) { csrf = (s && s.csrf) || ''; })
    .catch(function () {});
  function sessionFetch(url, init) {
    return session.then(function () {
      init = init || {};
      var headers = new Headers(init.headers || {});
      if (csrf && !headers.has('Authorization')) headers.set('X-CSRF-Token', csrf);
      init.headers = headers;
      init.credentials = 'same-origin';
      return fetch(url, init);
    });
  }
  var wsScheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  var fetcher = GraphiQL.createFetcher({
    url: location.origin + '/graphql',
    subscriptionUrl: wsScheme + '//' + location.host + '/graphql',
    fetch: sessionFetch,
  });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultEditorToolsVisibility: true,
    defaultQuery: '# taskledger GraphQL API (docs/graphql.md)\n# 无令牌时只能查看公开内容；请在 Headers 中填写 {"Authorization": "Bearer tl_…"}\n{\n  ledger { mode head now }\n  me { role name }\n}\n',
  }));
})();
