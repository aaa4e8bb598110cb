// Tenantry's GraphiQL. Served from this server with the vendored GraphiQL, React and explorer
// plugin (web/graphiql.py); the page's Content-Security-Policy allows no other origin.
(function () {
  "use strict";

  // GraphiQL stores its editors (query, variables, headers), its tabs with their responses,
  // the history and the favourites. Any of them may hold a password or a token (a `login`
  // mutation, a new API token's secret in a response, an Authorization header), so they live
  // in memory only, for as long as the page is open. Only layout preferences reach
  // localStorage, and only values that look like one.
  var PREFERENCES = [
    "graphiql:theme",
    "graphiql:visiblePlugin",
    "graphiql:editorFlex",
    "graphiql:docExplorerFlex",
    "graphiql:secondaryEditorFlex",
  ];
  var PREFERENCE_VALUE = /^[\w .-]{0,64}$/;

  function isPreference(key, value) {
    return PREFERENCES.indexOf(key) >= 0 && PREFERENCE_VALUE.test(value);
  }

  function local(action) {
    try {
      return action(window.localStorage);
    } catch (error) {
      return null; // storage disabled: preferences are simply not kept
    }
  }

  // Earlier pages (Strawberry's GraphiQL) kept everything: forget what they left behind.
  local(function (store) {
    for (var i = store.length - 1; i >= 0; i -= 1) {
      var key = store.key(i);
      if (key && key.indexOf("graphiql:") === 0 && PREFERENCES.indexOf(key) < 0) {
        store.removeItem(key);
      }
    }
  });

  var memory = new Map();
  var storage = {
    getItem: function (key) {
      if (memory.has(key)) return memory.get(key);
      var kept = local(function (store) { return store.getItem(key); });
      return kept !== null && isPreference(key, kept) ? kept : null;
    },
    setItem: function (key, value) {
      value = String(value);
      if (isPreference(key, value)) {
        local(function (store) { store.setItem(key, value); });
        memory.delete(key);
      } else {
        memory.set(key, value);
      }
    },
    removeItem: function (key) {
      memory.delete(key);
      if (PREFERENCES.indexOf(key) >= 0) local(function (store) { store.removeItem(key); });
    },
    clear: function () {
      memory.clear();
      PREFERENCES.forEach(function (key) {
        local(function (store) { store.removeItem(key); });
      });
    },
    get length() {
      return memory.size;
    },
  };

  var DEFAULT_QUERY = [
    "# Tenantry's GraphiQL.",
    "#",
    "# Sign in with the button above: the password never",
    "# passes through this editor, and the session cookie",
    "# then goes with every request.",
    "#",
    "# Nothing typed here, and no answer, is stored in this",
    "# browser: it is gone when the page closes. The explorer",
    "# (left) builds queries by clicking.",
    "",
    "query Me {",
    "  me {",
    "    username",
    "  }",
    "}",
    "",
  ].join("\n");

  var fetcher = GraphiQL.createFetcher({ url: "/graphql" });
  var explorer = GraphiQLPluginExplorer.explorerPlugin();

  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      storage: storage,
      plugins: [explorer],
      defaultQuery: DEFAULT_QUERY,
      defaultEditorToolsVisibility: true,
      inputValueDeprecation: true,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
    })
  );
})();
