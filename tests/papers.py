"""Two small test papers on different topics, made with the real PyMuPDF."""

from __future__ import annotations

from pathlib import Path

from tests.pdfmaker import make_paper_pdf

ENZYME_FACT = "The enzyme PetX is most active at 42 degrees Celsius and pH 8.5."
SENSOR_FACT = "The LoomNet protocol keeps each sensor node alive for 19 months on two AA cells."


def enzyme_paper(folder: Path, name: str = "enzyme.pdf") -> Path:
    """A biology paper about a plastic-degrading enzyme (2023)."""
    return make_paper_pdf(
        folder / name,
        title="A Thermostable Enzyme that Degrades PET Plastic",
        authors=("Lena Brandt", "Tomas Reyes"),
        affiliations=("Institute of Soil Microbiology, Northbridge University",),
        abstract="We describe PetX, a hydrolase from a soil bacterium that breaks down PET plastic. "
        "Published 2023.",
        doi="10.5555/petx.2023.001",
        sections=[
            (
                "1 Introduction",
                [
                    "Plastic waste accumulates in soil and water. Enzymes that depolymerise PET offer a "
                    "route to recycling without high temperatures.",
                ],
            ),
            (
                "2 Results",
                [
                    f"{ENZYME_FACT} Activity drops sharply above 55 degrees Celsius.",
                    "The double mutant S121E/D186H doubled the rate of PET film degradation compared "
                    "with the wild type over 48 hours.",
                ],
            ),
            ("3 Conclusion", ["PetX is a promising catalyst for enzymatic recycling of PET."]),
            ("References", ["[1] A. Author. Some earlier enzyme paper. 2019."]),
        ],
    )


def sensor_paper(folder: Path, name: str = "sensor.pdf") -> Path:
    """A systems paper about a low-power sensor network protocol (2021), two columns."""
    return make_paper_pdf(
        folder / name,
        title="LoomNet: A Low-Power Protocol for Field Sensor Networks",
        authors=("Priya Natarajan", "Oskar Lind"),
        affiliations=("Department of Electrical Engineering, Westfield Institute of Technology",),
        abstract="LoomNet schedules radio wake-ups to save energy in agricultural sensor networks. "
        "Published 2021.",
        two_column=True,
        sections=[
            (
                "1 Introduction",
                [
                    "Field sensors run on batteries that are hard to replace, so radio duty cycles "
                    "dominate their lifetime.",
                ],
            ),
            (
                "2 Evaluation",
                [
                    f"{SENSOR_FACT} The packet delivery ratio stayed above 98.7 percent across "
                    "a 40-node deployment.",
                ],
            ),
            ("3 Conclusion", ["Coordinated wake-ups make multi-year sensor deployments practical."]),
        ],
    )


NEWS_SOURCE = "We collected 5,200 articles from three newspapers in Ohio."
NEWS_LANGUAGE = "All of the collected articles are written in English."
NEWS_BLIND = "The annotators never saw the classifier's predictions during labelling."
NEWS_CLASSIFIER = (
    "Each headline was then labelled by a logistic regression classifier trained on word counts."
)


def news_paper(folder: Path, name: str = "news.pdf") -> Path:
    """A text-mining paper on regional news (2020): a corpus, a language, a labelling protocol."""
    return make_paper_pdf(
        folder / name,
        title="Tracking Sentiment in Regional News",
        authors=("Mara Quist",),
        affiliations=("School of Informatics, Eastmoor University",),
        abstract="We measure how the tone of regional reporting changed over five years. Published 2020.",
        sections=[
            ("1 Data", [f"{NEWS_SOURCE} {NEWS_LANGUAGE}"]),
            (
                "2 Labelling",
                [
                    "Two annotators marked the tone of each headline as positive, neutral or negative. "
                    f"{NEWS_CLASSIFIER} {NEWS_BLIND}",
                ],
            ),
            ("3 Conclusion", ["Regional reporting grew more negative after 2017."]),
        ],
    )
