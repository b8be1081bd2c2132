"""Which language the windows speak, and the Qt translators that make them speak it.

The source language of every text is English. English has a catalogue too, with the
plural forms only ("%n second(s)" reads "1 second", "2 seconds": Qt's way of writing
plurals); each shipped language has a complete one. Both are compiled,
``resources/i18n/tapemaster_<lang>.qm``, by ``make translations`` from the ``.ts`` beside
them; Qt's own ``qtbase_<lang>.qm`` translates the standard buttons (OK, Cancel, Save...).
The language is ``--lang`` when given, else the first language of the system's locale
that is shipped (or English), else English. docs/translations.md says how to add one.
"""

from __future__ import annotations

import logging
from importlib import resources

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QObject, QTranslator

from tapemaster_qt.errors import TapeMasterError

logger = logging.getLogger(__name__)

SOURCE_LANGUAGE = "en"
SHIPPED = ("de",)
"""Languages with a complete catalogue, besides English."""
LANGUAGES = (SOURCE_LANGUAGE, *SHIPPED)
CATALOGUE = "tapemaster"

_installed: list[QTranslator] = []
"""Our translators, kept referenced (Qt does not own them) and removable."""
_language = SOURCE_LANGUAGE


def error_text(error: TapeMasterError) -> str:
    """An error's sentence in the user's language: its message template looked up in the
    "errors" catalogue context (errors.py), then filled in; English when not there."""
    return error.translated(lambda text: QCoreApplication.translate("errors", text),
                            field_text)


def plural_context(name: str) -> QObject:
    """An object whose ``tr(text, "", n)`` looks ``text`` up in context ``name``, for
    texts with plurals outside a QObject's methods (pyside6-lupdate reads plurals only
    from tr(), and takes the variable's name as the context: name the variable
    ``name``, e.g. ``texts = plural_context("texts")``)."""
    return type(name, (QObject,), {})()


def field_text(text: str) -> str:
    """A label, category, description or status word of fields.py in the user's
    language (marked there for the "fields" catalogue context)."""
    return QCoreApplication.translate("fields", text)


def _base(name: str) -> str:
    """``de`` of ``de_AT``, ``de-CH.UTF-8`` or ``DE``."""
    return name.replace("_", "-").split("-")[0].split(".")[0].lower()


def choose(requested: str | None = None) -> str:
    """``requested`` (``--lang``) when it is a language we have, else the system's."""
    if requested:
        base = _base(requested)
        return base if base in LANGUAGES else SOURCE_LANGUAGE
    for name in QLocale.system().uiLanguages():
        base = _base(name)
        if base in LANGUAGES:
            return base
    return SOURCE_LANGUAGE


def catalogue_path(language: str) -> str:
    """The compiled catalogue of ``language`` as a file path (package data)."""
    return str(resources.files("tapemaster_qt") / "resources" / "i18n"
               / f"{CATALOGUE}_{language}.qm")


def _qt_catalogue_folders() -> list[str]:
    """Where Qt's own catalogues are: Qt's configured folder, and the wheel's (and the
    bundle's) PySide6/Qt/translations when the configured one is elsewhere."""
    from pathlib import Path

    import PySide6

    return [QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath),
            str(Path(PySide6.__file__).parent / "Qt" / "translations")]


def current() -> str:
    """The language installed last (``en`` before any)."""
    return _language


def install(language: str) -> str:
    """Speak ``language`` from now on (windows built afterwards); returns the language
    in use, English when the catalogue cannot be loaded (logged, never fatal)."""
    global _language
    app = QCoreApplication.instance()
    for translator in _installed:
        if app is not None:
            QCoreApplication.removeTranslator(translator)
    _installed.clear()
    _language = SOURCE_LANGUAGE
    if app is None:
        return _language
    if language not in SHIPPED:
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
        english = QTranslator(app)
        if english.load(catalogue_path(SOURCE_LANGUAGE)):
            QCoreApplication.installTranslator(english)
            _installed.append(english)
        else:
            logger.warning("The English catalogue %s cannot be loaded (plurals read "
                           "'(s)')", catalogue_path(SOURCE_LANGUAGE))
        return _language
    ours = QTranslator(app)
    if not ours.load(catalogue_path(language)):
        logger.warning("The %s catalogue %s cannot be loaded; the windows stay in English",
                       language, catalogue_path(language))
        return install(SOURCE_LANGUAGE)
    qt: QTranslator | None = QTranslator(app)
    folders = _qt_catalogue_folders()
    if not any(qt.load(f"qtbase_{language}", folder) for folder in folders):
        # Our texts are translated; only Qt's own buttons stay English.
        logger.warning("Qt's qtbase_%s.qm is in none of %s", language, folders)
        qt = None
    for translator in (ours, qt):
        if translator is not None:
            QCoreApplication.installTranslator(translator)
            _installed.append(translator)
    QLocale.setDefault(QLocale(language))
    _language = language
    logger.info("Language: %s", language)
    return _language
