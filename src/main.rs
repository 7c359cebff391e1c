fn main() {
    println!("satchel: under construction");
}
