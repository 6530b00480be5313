"""Every intermediate value kept for explanations has its French label and the sentence an
allocataire reads: no page has to fall back on an OpenFisca variable name."""

from justedroit.rules.explain import INTERMEDIATES, LABELS


def test_every_intermediate_value_has_a_label_and_a_sentence():
    assert {intermediate.variable for intermediate in INTERMEDIATES} == set(LABELS)
    for label, sentence in LABELS.values():
        assert label[0].isupper() and sentence.count("{}") == 1 and sentence.endswith(".")
