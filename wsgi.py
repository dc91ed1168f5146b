from volunteer import create_app

app = create_app()
