"""Children's needs along body, mind, social and intellect, and their micro-wishes."""
