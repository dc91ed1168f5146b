"""Statistics from the data, in the shape the civil-affairs bureau publishes them."""
