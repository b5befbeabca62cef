// Starts GraphiQL on the page. A file of its own, not an inline script, so
// that the page's Content-Security-Policy can forbid inline scripts; the
// endpoint comes from the container's data-endpoint attribute.
(function () {
  "use strict";
  var container = document.getElementById("graphiql");
  var endpoint = new URL(container.dataset.endpoint, location.href);
  var ws = new URL(endpoint.href);
  ws.protocol = endpoint.protocol === "https:" ? "wss:" : "ws:";
  var fetcher = GraphiQL.createFetcher({
    url: endpoint.href,
    // Subscriptions (graphql-ws) on the same endpoint; the socket is only
    // opened when a subscription runs.
    subscriptionUrl: ws.href,
  });
  var defaultQuery = [
    "# bangfu GraphQL: press the run button or Ctrl-Enter.",
    "# To act as a user: run the login mutation, then put",
    "# {\"Authorization\": \"Bearer <accessToken>\"} in Headers.",
    "#",
    "# Certified tea from key assistance counties:",
    "{",
    "  products(",
    "    first: 5",
    "    orderBy: [{field: PRICE, direction: DESC}]",
    "    where: {",
    "      category: TEA_BEVERAGE",
    "      hasCertificationsWith: {status: CERTIFIED}",
    "      hasOriginCountyWith: {keyAssistanceCounty: true}",
    "    }",
    "  ) {",
    "    totalCount",
    "    edges {",
    "      node { name spec priceFen originCounty { name } }",
    "    }",
    "  }",
    "}",
    "",
  ].join("\n");
  ReactDOM.createRoot(container).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: defaultQuery,
      // A bearer token typed into the headers editor stays in this tab.
      shouldPersistHeaders: false,
    })
  );
})();
