"""The curriculum's lessons: each a built-in preset and a short text.

A lesson says what the learner is looking at (``look``), what to try, with
the app's keys (``try_``), and the question it answers with its answer
(``question``). Lessons 5 to 10 also name one setting and the values to
compare side by side (``vary``). The texts are English source strings marked
with ``N_`` for the message catalog; ``Lesson.text`` and ``Lesson.sections``
translate them with ``_`` when they are shown, so a language switch shows
them in the new language. They are kept short: the app shows them in a side
panel of about 38 columns.

Plain data: nothing here loads a preset (``tests/test_lessons.py`` checks
that every named preset loads and every varied value is accepted).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..i18n import N_, _

__all__ = ["LESSONS", "Lesson", "get_lesson", "lesson_ids"]


@dataclass(frozen=True)
class Lesson:
    """One lesson. ``title``, ``look``, ``try_`` and ``question`` are English
    source strings (translate them with ``_`` when shown, or use ``text``)."""

    number: int
    id: str
    title: str
    preset: str
    look: str
    try_: str
    question: str
    # The setting path and the values compared side by side (2 to 6), as the
    # text ``--set`` and ``tui-nn compare --vary`` take; None: nothing to compare.
    vary: tuple[str, tuple[str, ...]] | None = None
    # Presets the text sends the learner to after the first.
    also: tuple[str, ...] = ()

    @property
    def presets(self) -> tuple[str, ...]:
        """The lesson's preset, then its follow-up presets."""
        return (self.preset, *self.also)

    def sections(self) -> list[tuple[str, str]]:
        """(heading, body) for Look, Try and Question, in the current language."""
        return [(_("Look"), _(self.look)), (_("Try"), _(self.try_)), (_("Question"), _(self.question))]

    def text(self) -> list[str]:
        """The lesson's text as paragraphs, in the current language: the title,
        then Look, Try and Question, each its heading on a line above its body."""
        return [_(self.title), *(f"{heading}\n{body}" for heading, body in self.sections())]


LESSONS: tuple[Lesson, ...] = (
    Lesson(
        1, "neuron", N_("The neuron: weights, bias, threshold"), "gauss",
        look=N_("One neuron, no hidden layer: a = w1*x1 + w2*x2 + b, then sigmoid. "
                "The boundary is the line where a = 0, the threshold. A step unit "
                "outputs 1 on one side of it and 0 on the other."),
        try_=N_("Press n a few times and watch the line move as w and b change. "
                "Press r for new random weights, then space to train. Press g for new data."),
        question=N_("What do weights and bias do? The weights turn the line, the bias "
                    "shifts it: the neuron fires where x·w + b >= 0."),
    ),
    Lesson(
        2, "xor-by-hand", N_("XOR solved by hand"), "xor-by-hand",
        look=N_("Step units, F(a) = 1 if a >= 0 else 0: a1 = F(5x1+5x2-8), "
                "a2 = F(-7x1-7x2+3), y = F(-11a1-11a2+6). The weights were set by hand: nothing trains."),
        try_=N_("Check each row. (0,0): a1 = F(-8) = 0, a2 = F(3) = 1, y = F(-5) = 0. "
                "(0,1) and (1,0): a1 = F(-3) = 0, a2 = F(-4) = 0, y = F(6) = 1. "
                "(1,1): a1 = F(2) = 1, a2 = F(-11) = 0, y = F(-16) = 0."),
        question=N_("Is choosing weights by hand learning? No. Backpropagation finds such "
                    "weights from the data: the next lesson."),
    ),
    Lesson(
        3, "xor-learn", N_("XOR learned by backpropagation"), "lesson-xor-learn",
        look=N_("The same 2-2-1 shape, now of sigmoid units, starting from random weights. "
                "Backpropagation sends the error back, output layer first, and moves every weight."),
        try_=N_("Press space and watch accuracy reach 100%. Press r for new random weights. "
                "If it stalls at 50% or 75%, that start found a local minimum: press r again."),
        question=N_("Can a network find XOR's weights by itself? Yes: gradient descent finds "
                    "weights that work, though not the ones chosen by hand."),
    ),
    Lesson(
        4, "perceptron", N_("The perceptron and its limit"), "perceptron-and",
        look=N_("Rosenblatt's rule, no gradients: for each point, w += lr * (y - y_hat) * x. "
                "Only wrongly classified points move the line."),
        try_=N_("Press n a few times: on AND the line settles and accuracy stays at 100%. "
                "Then open the preset perceptron-xor (ctrl+p): the line never settles."),
        question=N_("Why does XOR fail? No straight line separates its classes: XOR is not "
                    "linearly separable. A hidden layer is needed (lessons 2 and 3)."),
        also=("perceptron-xor",),
    ),
    Lesson(
        5, "activations", N_("Activation functions"), "lesson-activations",
        look=N_("A 2-6-6-1 net on the circle, trained by plain SGD. Each hidden neuron's "
                "picture shows its activation's shape."),
        try_=N_("Compare sigmoid, tanh, relu, leaky_relu, softplus and swish side by side, "
                "or set network.activation in the settings panel and press r."),
        question=N_("Why is sigmoid the slowest? Its slope is at most 0.25, so each layer "
                    "shrinks the error signal. tanh (slope 1 at 0) and relu (slope 1 when on) "
                    "pass more of it back."),
        vary=("network.activation", ("sigmoid", "tanh", "relu", "leaky_relu", "softplus", "swish")),
    ),
    Lesson(
        6, "vanishing", N_("Vanishing gradients"), "vanishing-sigmoid",
        look=N_("Six sigmoid layers of 8 neurons. The gradient chart shows each layer's "
                "gradient size: the first layer's is far smaller than the last's."),
        try_=N_("Press space: accuracy stays near 50%. Press v if the gradient chart is "
                "hidden. Then compare with relu: its first layer gets a gradient and learns."),
        question=N_("Why do early layers stop learning? Each sigmoid layer multiplies the "
                    "gradient by at most 0.25, so it shrinks layer by layer. ReLU passes it at slope 1."),
        vary=("network.activation", ("sigmoid", "relu")),
        also=("vanishing-relu",),
    ),
    Lesson(
        7, "optimizers", N_("Optimizers"), "lesson-optimizers",
        look=N_("A 2-6-6-1 tanh net, mini-batches of 10, learning rate 0.01. SGD steps down "
                "the gradient; momentum and Nesterov keep a velocity; Adagrad, RMSProp and "
                "Adam scale each weight's step."),
        try_=N_("Compare the six: which reaches loss 0.1 first? Full-batch gradient descent "
                "is sgd with batch size 250, all the training points: set training.batch_size."),
        question=N_("Why is Adam the usual default? Its steps adapt to each weight, so it "
                    "gets far in few epochs without tuning. Plain SGD needs many more."),
        vary=("training.optimizer", ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")),
    ),
    Lesson(
        8, "learning-rate", N_("The learning rate"), "lesson-learning-rate",
        look=N_("A straight line fitted to the plane by full-batch gradient descent: "
                "w(t+1) = w(t) - lr * dLoss/dw, one step an epoch."),
        try_=N_("Compare 0.001, 0.03 and 0.3, or press + and - while it trains. "
                "At 0.3 the loss climbs, blows up, and training stops with advice."),
        question=N_("How large a step? Too small crawls; about right converges within a few "
                    "epochs; too large overshoots further at every step and diverges."),
        vary=("training.learning_rate", ("0.001", "0.03", "0.3")),
    ),
    Lesson(
        9, "overfitting", N_("Overfitting"), "lesson-overfitting",
        look=N_("A 16-16-16 net on 30 noisy training points. The boundary wraps every "
                "training point; the test loss rises while the training loss falls."),
        try_=N_("Compare training.regularization none, l2 and l1 (rate 0.03). Then set "
                "training.dropout to 0.5. Then set data.points to 500: more data."),
        question=N_("How do you stop a net memorising? Penalise large weights (L2, L1), drop "
                    "neurons while training (dropout), or give it more data."),
        vary=("training.regularization", ("none", "l2", "l1")),
    ),
    Lesson(
        10, "batch-norm", N_("Batch normalisation"), "batchnorm",
        look=N_("Six sigmoid layers again, each hidden layer normalised per mini-batch "
                "(mean 0, variance 1, then a learned scale and shift)."),
        try_=N_("Compare training.batch_norm false and true. Without it the loss stays flat "
                "near 0.69; with it the net learns the circle in a few dozen epochs."),
        question=N_("Why does it help? It keeps each layer's inputs where sigmoid is steep, "
                    "so gradients reach the early layers."),
        vary=("training.batch_norm", ("false", "true")),
    ),
    Lesson(
        11, "iris", N_("Iris: three classes"), "iris",
        look=N_("150 flowers, 4 measurements, 3 species. Each label is one-hot (1,0,0 for "
                "setosa); the softmax output gives three probabilities that sum to 1; the "
                "loss is cross-entropy."),
        try_=N_("Press space: test accuracy reaches about 95%. Press g for another split "
                "into training and test flowers."),
        question=N_("How does a net pick one of three classes? One output per class; softmax "
                    "makes them probabilities and the largest wins. Accuracy counts how often it is right."),
    ),
    Lesson(
        12, "regression", N_("Regression: MSE, MAE, RMSE, R²"), "diabetes",
        look=N_("Disease progression from 10 measurements: a 10-5-1 net with a linear "
                "output. The loss is MSE; the metric is RMSE, in the data's own units."),
        try_=N_("Press space. Set network.loss to mae and press r. Then open the preset "
                "plane, a 2-D target. tui-nn train diabetes also prints R²."),
        question=N_("How good is a fit? MSE averages squared errors, MAE absolute ones, RMSE "
                    "is the root of MSE. R² is the share of variance explained: 1 is perfect."),
        also=("plane",),
    ),
    Lesson(
        13, "features", N_("Playground classics: the feature trick"), "lesson-features",
        look=N_("The circle with inputs x1^2 and x2^2 and no hidden layer: one neuron. In "
                "those inputs the disc lies on one side of a straight line."),
        try_=N_("Press space: test accuracy reaches 100% within about 20 epochs. Then open "
                "lesson-features-spiral: sin(x1) and sin(x2) let one hidden layer untangle the spiral."),
        question=N_("Why do features help? A good input makes a curved boundary straight, "
                    "so a smaller net suffices. TF Playground's feature choice is this trick."),
        also=("lesson-features-spiral",),
    ),
)


def lesson_ids() -> tuple[str, ...]:
    return tuple(lesson.id for lesson in LESSONS)


def get_lesson(key: str | int) -> Lesson:
    """A lesson by its number (1, "1") or id ("neuron"); ValueError naming the
    allowed ids for anything else."""
    text = str(key).strip()
    for lesson in LESSONS:
        if text == lesson.id or (text.isdigit() and int(text) == lesson.number):
            return lesson
    raise ValueError(
        _("no lesson {key}: the lessons are {ids} (or their numbers 1 to {count})").format(
            key=repr(text), ids=", ".join(lesson_ids()), count=len(LESSONS))
    )
