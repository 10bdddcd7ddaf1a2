"""An ID photo taken on the phone while offline (issue 20, item 4): made smaller on the phone,
kept in the outbox as a Blob with its form, its size shown, the phone's space shown when short,
and sent exactly once when the signal returns; then listed on the client's page and opened
through the checked route, never stored in Cache Storage."""

import io
from pathlib import Path

import sqlalchemy as sa
from PIL import Image

from tests.test_offline import sign_in_as_outreach, wait_until
from tests.test_phone_layout import BrowserPage, browser_page, check_phone_layout  # noqa: F401  (fixture)
from webapp.extensions import db
from webapp.jobs import demo
from webapp.models import Case, Client, Document

# The phone reports 40 MB left of 500 MB: space is short.
SHORT_OF_SPACE = """
  if (navigator.storage) {
    navigator.storage.estimate = () =>
      Promise.resolve({quota: 500 * 1024 * 1024, usage: 460 * 1024 * 1024});
  }
"""


def camera_photo() -> bytes:
    """What a phone camera writes: 4000 × 3000, with the GPS position in its EXIF block."""
    image = Image.new("RGB", (4000, 3000), (90, 140, 200))
    for x in range(0, 4000, 400):  # something to look at, not one flat colour
        image.paste((250, 250, 250), (x, 0, x + 200, 3000))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (40.0, 42.0, 51.0), 3: "W", 4: (74.0, 0.0, 21.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, quality=92)
    return out.getvalue()


def test_an_id_photo_taken_offline_is_sent_once_when_back_online(browser_page):  # noqa: F811
    page = browser_page.page
    context = page.context
    app = browser_page.app
    with app.app_context():
        demo.load()
        db.session.commit()
        jose = db.session.scalar(
            sa.select(Client).join(Case).where(Client.preferred_name == "José").limit(1)
        )
        client_id = jose.display_id
    page.add_init_script(SHORT_OF_SPACE)
    sign_in_as_outreach(page)

    page.goto(f"/clients/{client_id}")
    page.get_by_role("link", name="Add a document or photo").click()
    page.get_by_role("heading", name="Add a document or photo").wait_for()
    # The camera button, shown by the script.
    page.get_by_text("Take a photo", exact=True).wait_for()
    assert page.locator("#camera").get_attribute("capture") == "environment"
    assert page.locator("#camera").get_attribute("accept") == "image/*"

    # Online, a file that is not what its name says is refused beside the field; the page the
    # server answered with still has its camera button.
    page.set_input_files(
        "#file",
        files=[{"name": "notes.pdf", "mimeType": "application/pdf", "buffer": b"not a pdf"}],
    )
    page.get_by_label("What it is").select_option(label="Other document")
    page.get_by_label("Description").fill("Notes")
    page.get_by_role("button", name="Attach").click()
    page.locator("#file-error").get_by_text("whatever its name says").wait_for()
    assert page.get_by_label("Description").input_value() == "Notes"
    page.get_by_text("Take a photo", exact=True).wait_for()
    check_phone_layout(page, "documents-0-refused-beside-the-field", browser_page.problems)
    assert page.evaluate("() => WaymarkOutbox.all().then(entries => entries.length)") == 0

    # The signal goes; the worker takes the photo of the ID card.
    context.set_offline(True)
    photo = camera_photo()
    page.set_input_files(
        "#camera", files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": photo}]
    )
    page.get_by_text("Ready to send: 1600 × 1200").wait_for()
    page.get_by_label("What it is").select_option(label="ID document")
    page.get_by_label("Description").fill("ID card, front")
    check_phone_layout(page, "documents-1-photo-ready-offline", browser_page.problems)
    page.get_by_role("button", name="Attach").click()
    page.get_by_text("Saved on this phone — it will be sent when you are online.").wait_for()

    kept = page.evaluate(
        """() => WaymarkOutbox.all().then(entries => entries.map(e => ({
             url: e.url,
             files: (e.files || []).map(f => [f[0], f[1] instanceof Blob, f[1].type, f[1].size,
                                             f[2]]),
             size: WaymarkOutbox.sizeOf(e)})))"""
    )
    assert len(kept) == 1
    [(name, is_blob, mime, size, filename)] = kept[0]["files"]
    assert (name, is_blob, mime, filename) == ("file", True, "image/jpeg", "IMG_0001.jpg")
    assert size < len(photo) and kept[0]["url"] == f"/clients/{client_id}/documents/new"
    assert page.locator("#outbox-badge [data-count]").inner_text() == "1"

    # The outbox says what waits and how much space it takes, and that the phone is short of it.
    page.goto("/outbox")
    page.locator("#outbox-list li").first.wait_for()
    assert "ID card" not in page.locator("#outbox-list").inner_text()  # the label, not the content
    assert "(1 file)" in page.locator("#outbox-list").inner_text()
    assert page.locator("#outbox-size").is_visible()
    assert "KB in all)" in page.locator("#outbox-size").inner_text()
    assert (
        "Space is short on this phone: about 40.0 MB left"
        in page.locator("#storage-estimate").inner_text()
    )
    check_phone_layout(page, "documents-2-outbox-with-photo", browser_page.problems)
    # A copy of the entry, Blob and all, kept in the page to send again later.
    page.evaluate("() => WaymarkOutbox.all().then(entries => { window.keptEntries = entries; })")

    # Back online: sent once.
    context.set_offline(False)
    page.get_by_role("button", name="Send now").click()
    wait_until(page, "() => WaymarkOutbox.all().then(entries => entries.length === 0)")
    page.get_by_text("Everything is sent.").wait_for()
    # The same entry replayed (a lost answer, a second sync) stores nothing more.
    page.evaluate(
        "() => Promise.all(window.keptEntries.map(e => WaymarkOutbox.put(e))).then(() => "
        "WaymarkOutbox.replayAll())"
    )
    assert page.evaluate("() => WaymarkOutbox.all().then(entries => entries.length)") == 0
    with app.app_context():
        [document] = db.session.scalars(sa.select(Document)).all()
        assert (document.title, document.width, document.height) == ("ID card, front", 1600, 1200)
        stored = (Path(app.config["DOCUMENT_DIR"]) / document.stored_name).read_bytes()
        document_id = document.id
    assert b"Exif" not in stored

    # Shown again where a person looks: the client's page, and it opens.
    page.goto(f"/clients/{client_id}#documents")
    page.get_by_role("link", name="ID card, front").wait_for()
    page.locator("#documents").scroll_into_view_if_needed()
    check_phone_layout(page, "documents-3-client-page", browser_page.problems)
    opened = page.goto(f"/documents/{document_id}")
    assert opened.status == 200 and opened.headers["content-type"] == "image/jpeg"
    page.screenshot(path=str(Path("screenshots") / "documents-4-photo-opened.png"))
    # The file is sandboxed (nothing in it may run, not even with the site's storage).
    assert "sandbox" in opened.headers["content-security-policy"]
    page.goto(f"/clients/{client_id}")
    cached = page.evaluate(
        """async () => {
          const found = [];
          for (const name of await caches.keys()) {
            for (const request of await (await caches.open(name)).keys()) found.push(request.url);
          }
          return found;
        }"""
    )
    assert cached and not [url for url in cached if "/documents/" in url]
    assert browser_page.problems == []
