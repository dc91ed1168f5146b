"""Routes of the children pages: staff only; a child outside the coordinator's area is a 404."""
LOGIN = 302
STAFF = {"anonymous": LOGIN, "coordinator": 200, "outsider": 200, "admin": 200, "default": 403}
# The 崂山区 child: the 市北区 coordinator gets the same 404 as for a child that does not exist.
ONE_CHILD = {"anonymous": LOGIN, "coordinator": 200, "outsider": 404, "admin": 200, "default": 403}

EXPECTED = {
    "children.index": ("GET", "/children", STAFF),
    "children.new": ("GET", "/children/new", STAFF),
    "children.import_children": ("GET", "/children/import", STAFF),
    "children.import_template": ("GET", "/children/import/template.csv", STAFF),
    "children.show": ("GET", "/children/{child}", ONE_CHILD),
    "children.edit": ("GET", "/children/{child}/edit", ONE_CHILD),
    "children.viewers": ("GET", "/children/{child}/viewers", ONE_CHILD),
    # Without the form's confirm field nothing is deleted (400); outside the area it is a 404.
    "children.delete": ("POST", "/children/{child}/delete",
                        {**ONE_CHILD, "coordinator": 400, "admin": 400}),
}
