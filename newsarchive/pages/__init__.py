"""What pages show, as plain values: marked-up paragraph HTML, the wire diagram's SVG, JSON-LD."""
