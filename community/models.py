# Models of the community app.
