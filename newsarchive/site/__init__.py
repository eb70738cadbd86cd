"""The build driver and its parts: content checks, caches kept between builds, parallel work,
search indexing, publishing, serving the site."""
