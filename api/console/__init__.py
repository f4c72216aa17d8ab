"""The web console (GET /console): static pages that call the /v1 API with the key the user
signs in with. Its files are in static/; the graph library is copied into static/vendor/ at
build time (`make console`, from package-lock.json) and never fetched from another host."""
