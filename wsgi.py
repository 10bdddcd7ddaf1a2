import gc

from webapp import create_app

app = create_app()
# What the app built at start (models, metadata, templates, translations: about 300,000
# objects) lives as long as the process; kept out of the collector's full passes, which
# otherwise walk all of it every so often in the middle of a request (tens of milliseconds).
gc.freeze()
