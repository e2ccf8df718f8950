{% autoescape off %}Redoc.init({{ schema_url_json }}, {{ settings }}, document.getElementById("redoc-container"));
{% endautoescape %}