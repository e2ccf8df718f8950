# Models of the wellness app.
