"""Class prototypes: each label's mean direction of the hidden features."""

import numpy as np

from model.learning.prototypes import SHARPNESS, class_prototypes, prototype_probabilities


def test_a_prototype_is_the_unit_mean_of_its_classes_unit_features() -> None:
    features = np.array([[2.0, 0.0], [0.0, 5.0], [3.0, 3.0], [0.0, 1.0]], dtype=np.float32)
    y = np.array([0, 0, 1, 1])
    prototypes = class_prototypes(features, y, 3)

    # Class 0: (1, 0) and (0, 1) average to the diagonal, whatever the lengths were.
    assert np.allclose(prototypes[0], [2**-0.5, 2**-0.5])
    assert np.allclose(np.linalg.norm(prototypes[:2], axis=1), 1.0)
    assert np.array_equal(prototypes[2], [0.0, 0.0])  # no samples: close to nothing


def test_the_nearest_prototype_wins_clearly_but_not_alone() -> None:
    prototypes = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    features = np.array([[4.0, 1.0], [0.0, 3.0], [1.0, 1.0]], dtype=np.float32)
    probabilities = prototype_probabilities(features, prototypes)

    assert probabilities.argmax(axis=1)[:2].tolist() == [0, 1]
    assert np.allclose(probabilities.sum(axis=1), 1.0)
    assert np.allclose(probabilities[2], [0.5, 0.5])  # halfway: no preference
    cosines = features[0] / np.linalg.norm(features[0])
    odds = probabilities[0, 0] / probabilities[0, 1]
    assert np.isclose(odds, np.exp(SHARPNESS * (cosines[0] - cosines[1])), rtol=1e-4)
    assert 0.0 < probabilities[0, 1] < 0.01
