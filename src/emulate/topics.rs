//! The 13 Pinterest categories (spec §3.1) with their observed weights and the words the text of a
//! pin is templated from: titles, description sentences, Title-Case tags and poster brands.
//! Real titles and descriptions are not reproduced (spec §8: "text is templated").

/// One category: its name as in `Local save in /data/<name>`, its weight, and its vocabulary.
pub struct Topic {
    pub name: &'static str,
    /// Posts in the 137-row sample (spec §3.1: art 17, diy-and-crafts 16, ...).
    pub weight: u32,
    pub titles: &'static [&'static str],
    pub sentences: &'static [&'static str],
    /// At least 9 distinct tags: a tag_list joins 9 of them (spec §3.1).
    pub tags: &'static [&'static str],
    pub brands: &'static [&'static str],
}

/// All categories, alphabetical.
pub const TOPICS: &[Topic] = &[
    Topic {
        name: "art",
        weight: 17,
        titles: &["Watercolor Painting Ideas", "Abstract Acrylic Pour", "Easy Landscape Sketches", "Ink Drawing Techniques", "Colour Theory Cheat Sheet", "Portrait Drawing Tutorial", "Mandala Art Patterns", "Oil Pastel Sunset"],
        sentences: &["Learn how to blend colours like a pro with this simple step by step guide.", "A quick warm-up exercise that every artist should try before starting a painting.", "These ideas are perfect for beginners who want to build confidence with a brush.", "Grab your sketchbook and give these a go this weekend."],
        tags: &["Art Drawings", "Watercolor Paintings", "Acrylic Painting", "Abstract Art", "Art Tutorials", "Sketchbook Ideas", "Painting Techniques", "Art Inspiration", "Drawing Ideas", "Canvas Art", "Art Journal", "Pencil Art"],
        brands: &["The Art of Colour", "Sketchy Studio", "Paint Pour Club"],
    },
    Topic {
        name: "beauty",
        weight: 11,
        titles: &["Hairstyles & Beauty", "Everyday Natural Makeup Look", "Nail Art Designs for Summer", "Skincare Routine for Dry Skin", "Easy Braided Updo", "Glowing Skin Secrets", "Smokey Eye Tutorial", "Curly Hair Care Tips"],
        sentences: &["This routine takes less than ten minutes and works for every skin type.", "Save this pin for your next salon visit.", "The products we love are all cruelty free and budget friendly.", "Follow these tips for healthy, shiny hair all year round."],
        tags: &["Beauty Hacks", "Makeup Tips", "Skin Care", "Hair Styles", "Nail Designs", "Natural Makeup", "Beauty Products", "Hair Care", "Eye Makeup", "Skincare Routine", "Braided Hairstyles", "Glowing Skin"],
        brands: &["Glow Getter", "The Beauty Edit", "Lash & Lipstick"],
    },
    Topic {
        name: "christmas",
        weight: 13,
        titles: &["DIY Christmas Ornaments", "Christmas Table Decorations", "Festive Gingerbread House", "Christmas Tree Ideas", "Holiday Cookie Recipes", "Elf on the Shelf Ideas", "Rustic Christmas Wreath", "Christmas Gift Wrapping Ideas"],
        sentences: &["Get into the festive spirit with these easy holiday ideas.", "Perfect for a cosy night in with the family.", "Kids will love helping with this one.", "Make your home merry and bright this Christmas."],
        tags: &["Christmas Crafts", "Christmas Decorations", "Holiday Decor", "Christmas Tree", "Xmas Ideas", "Christmas Ornaments", "Christmas Cookies", "Christmas Gifts", "Holiday Baking", "Christmas Wreaths", "Festive Table", "Christmas Diy"],
        brands: &["Merry & Bright Home", "The Holiday Hub", "Tinsel Town Crafts"],
    },
    Topic {
        name: "diy-and-crafts",
        weight: 16,
        titles: &["Easy Paper Flowers", "Upcycled Mason Jar Crafts", "Macrame Wall Hanging", "Kids Craft Ideas", "Homemade Candles", "Felt Animal Patterns", "Resin Coasters Tutorial", "Scrapbook Page Layouts"],
        sentences: &["All you need is a few supplies you probably already have at home.", "A fun weekend project that costs next to nothing.", "Free printable template included in the post.", "These crafts are a great way to keep little hands busy."],
        tags: &["Diy Crafts", "Paper Crafts", "Crafts For Kids", "Mason Jar Crafts", "Macrame Diy", "Upcycled Crafts", "Craft Projects", "Diy Home Decor", "Easy Crafts", "Felt Crafts", "Resin Crafts", "Scrapbooking"],
        brands: &["Crafty Mañana", "Hello Glue Gun", "The Craft Train"],
    },
    Topic {
        name: "education",
        weight: 8,
        titles: &["Classroom Organization Ideas", "Math Games for Kids", "Homeschool Schedule Template", "Reading Comprehension Activities", "Science Experiments at Home", "Study Tips for Exams", "Phonics Worksheets", "Bulletin Board Ideas"],
        sentences: &["Teachers, this one is for you: simple, effective and ready to print.", "Make learning fun with these hands-on activities.", "Great for homeschool families and classrooms alike.", "Students remember more when they learn by doing."],
        tags: &["Teaching Ideas", "Classroom Decor", "Homeschool", "Math Activities", "Reading Activities", "Science For Kids", "Study Tips", "Teacher Resources", "Learning Activities", "Kindergarten", "Printable Worksheets", "Education Quotes"],
        brands: &["Teach Create Inspire", "The Homeschool Nook", "Little Learners Lab"],
    },
    Topic {
        name: "event-planning",
        weight: 5,
        titles: &["Wedding Planning Checklist", "Birthday Party Themes", "Baby Shower Games", "Outdoor Party Lighting", "Bridal Shower Ideas", "Event Budget Spreadsheet", "Dessert Table Setup", "Graduation Party Ideas"],
        sentences: &["Plan the perfect celebration without the stress.", "Use this checklist to stay on track from start to finish.", "Guests will be talking about this for weeks.", "Beautiful ideas that work for any budget."],
        tags: &["Party Ideas", "Wedding Planning", "Birthday Party", "Baby Shower", "Event Decor", "Party Decorations", "Bridal Shower", "Wedding Checklist", "Party Themes", "Dessert Table", "Event Planning", "Graduation Party"],
        brands: &["Party Perfect Co", "The Event Edit", "Celebrate Every Day"],
    },
    Topic {
        name: "finance",
        weight: 8,
        titles: &["Dave Ramsey's 7 Baby Steps: What Are They And Will They Work For You", "How to Save Money Fast", "Budget Planner Printable", "Side Hustle Ideas", "Debt Snowball Explained", "Investing for Beginners", "Frugal Living Tips", "Emergency Fund Guide"],
        sentences: &["If you love budgeting, make sure to give these steps a try.", "Follow these steps to begin your debt snowball, build an emergency fund, invest and reach riches.", "Small changes to your spending add up to big savings.", "A simple plan to take control of your money this year."],
        tags: &["Financial Peace", "Financial Tips", "Saving Money Quotes", "Total Money Makeover", "Budgeting Finances", "Money Management", "Wealth Management", "Personal Finance", "Making Ideas", "Side Hustle", "Frugal Living", "Debt Free"],
        brands: &["Living Low Key", "The Frugal Fox", "Money Minded Mama"],
    },
    Topic {
        name: "home-decor",
        weight: 6,
        titles: &["Boho Living Room Ideas", "Small Bedroom Makeover", "Farmhouse Kitchen Decor", "Gallery Wall Layouts", "Cozy Reading Nook", "Bathroom Organization", "Scandinavian Interior Design", "Indoor Plant Styling"],
        sentences: &["Transform your space on a budget with these simple swaps.", "Cozy, calm and full of texture.", "Small changes that make a big difference in any room.", "Get the look for less with our favourite finds."],
        tags: &["Home Decor", "Living Room Decor", "Bedroom Ideas", "Farmhouse Decor", "Boho Decor", "Interior Design", "Kitchen Decor", "Gallery Wall", "Home Organization", "Cozy Home", "House Plants", "Scandinavian Design"],
        brands: &["The Cozy Nest", "Décor Aid", "Nest & Nook"],
    },
    Topic {
        name: "mens-fashion",
        weight: 12,
        titles: &["Men's Smart Casual Outfits", "How to Wear a Denim Jacket", "Minimalist Wardrobe Essentials", "Men's Fall Fashion", "Classic Suit Guide", "Streetwear Outfit Ideas", "Men's Watch Styles", "Summer Outfits for Men"],
        sentences: &["Upgrade your wardrobe with these timeless pieces.", "Simple rules for looking sharp every day.", "These outfits work for the office and the weekend.", "Style is about fit first, everything else second."],
        tags: &["Mens Fashion", "Mens Outfits", "Mens Style", "Casual Outfits", "Streetwear Fashion", "Mens Suits", "Fall Outfits", "Summer Outfits", "Mens Watches", "Smart Casual", "Wardrobe Essentials", "Denim Jacket"],
        brands: &["Gentleman's Gazette", "The Dapper Edit", "Street Style Daily"],
    },
    Topic {
        name: "quotes",
        weight: 11,
        titles: &["Inspirational Quotes to Live By", "Motivational Monday Quotes", "Self Love Affirmations", "Funny Friendship Quotes", "Positive Thinking Quotes", "Quotes About Strength", "Morning Motivation", "Words of Wisdom"],
        sentences: &["Save this for the days when you need a little push.", "Share with someone who needs to hear this today.", "Positive words for a positive mindset.", "A reminder that you are doing better than you think."],
        tags: &["Inspirational Quotes", "Motivational Quotes", "Life Quotes", "Positive Quotes", "Self Love Quotes", "Funny Quotes", "Quotes To Live By", "Strength Quotes", "Affirmations", "Wise Words", "Happy Quotes", "Friendship Quotes"],
        brands: &["Sumcoco", "Daily Inspiration", "Words of Wonder"],
    },
    Topic {
        name: "tattoos",
        weight: 10,
        titles: &["Small Minimalist Tattoos", "Fine Line Flower Tattoo", "Meaningful Tattoo Ideas", "Sleeve Tattoo Designs", "Matching Tattoos for Friends", "Wrist Tattoo Ideas", "Geometric Tattoo Designs", "Script Tattoo Fonts"],
        sentences: &["Tiny tattoos with big meaning.", "Find inspiration for your next piece of ink.", "These designs look stunning in fine line.", "Bring this to your artist and make it your own."],
        tags: &["Tattoo Ideas", "Small Tattoos", "Minimalist Tattoo", "Flower Tattoos", "Fine Line Tattoo", "Sleeve Tattoos", "Wrist Tattoos", "Meaningful Tattoos", "Tattoo Designs", "Geometric Tattoo", "Matching Tattoos", "Tattoo Fonts"],
        brands: &["Inked Daily", "Fine Line Studio", "Tattoo Ideas Central"],
    },
    Topic {
        name: "travel",
        weight: 12,
        titles: &["Ultimate Bali Travel Guide", "Europe on a Budget", "Packing List for Carry On Only", "Hidden Gems in Portugal", "Road Trip Essentials", "Best Beaches in Greece", "Family Travel Tips", "48 Hours in Paris"],
        sentences: &["Everything you need to know before you go.", "Save this guide for your next adventure.", "We travelled for two weeks and this is what we learned.", "Tips for travelling with kids without losing your mind."],
        tags: &["Travel Destinations", "Travel Tips", "Travel Guide", "Packing Tips", "Road Trip", "Beach Vacation", "Europe Travel", "Travel Photography", "Budget Travel", "Family Travel", "Bucket List", "Places To Visit"],
        brands: &["Travel Mad Mum", "Wander Far", "The Packed Suitcase"],
    },
    Topic {
        name: "vehicles",
        weight: 8,
        titles: &["Classic Muscle Cars", "Camper Van Conversion", "Off Road Truck Builds", "Vintage Motorcycle Restoration", "Electric Cars Explained", "Car Cleaning Hacks", "Dream Garage Ideas", "Jeep Wrangler Mods"],
        sentences: &["Built from the ground up over two long winters.", "The ultimate guide for car lovers.", "Simple maintenance tips that save you money.", "Which one would you drive?"],
        tags: &["Classic Cars", "Muscle Cars", "Camper Van", "Off Road", "Motorcycles", "Car Hacks", "Dream Cars", "Jeep Wrangler", "Electric Cars", "Vintage Cars", "Car Maintenance", "Truck Accessories"],
        brands: &["Gearhead Garage", "Van Life Diaries", "Classic Car Club"],
    },
];

/// The category weights, in `TOPICS` order, for `Rng::weighted`.
pub fn weights() -> Vec<u32> {
    TOPICS.iter().map(|t| t.weight).collect()
}

/// Words that turn a title stem into a Pinterest-style title; the non-ASCII ones exercise the
/// `ensure_ascii` escapes (spec §3.1: "occasional emoji / …").
pub const TITLE_SUFFIXES: &[&str] = &[
    " for Beginners",
    " You Need to Try",
    " (Step by Step)",
    " \u{2013} Free Printable",
    " \u{2728}",
    " That Actually Work",
    " \u{1F60D}",
    "\u{2026}",
];

/// Taglines after `Brand | ` in a poster name (spec §3.5: "Living Low Key | Save Money, ...").
pub const TAGLINES: &[&str] = &[
    "Save Money, Make Money, & Frugal Living",
    "Decor Ideas, Hairstyles, Nails Fashion Advice",
    "Easy Ideas for Busy Moms",
    "Tips, Tutorials & Inspiration",
    "Lifestyle Blog",
];

/// Sentences any description may borrow.
pub const GENERIC_SENTENCES: &[&str] = &[
    "Click through for the full tutorial.",
    "Which one is your favourite?",
    "Pin it now so you don\u{2019}t lose it later!",
    "I can\u{2019}t wait to try this.",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thirteen_categories_with_enough_words() {
        assert_eq!(TOPICS.len(), 13);
        assert_eq!(weights().iter().sum::<u32>(), 137);
        for t in TOPICS {
            let mut tags = t.tags.to_vec();
            tags.sort_unstable();
            tags.dedup();
            assert!(tags.len() >= 9, "{}", t.name);
            assert!(!t.titles.is_empty() && !t.sentences.is_empty() && !t.brands.is_empty());
        }
    }
}
