"""The build driver's parts: caches kept between builds, publishing, serving the site."""
